import { readFile } from 'node:fs/promises';
import { InputError, UsageError } from './errors.js';

/** The text of `file`, or of stdin when no file is given (a usage error if stdin is a terminal). */
export async function readInput(file: string | undefined): Promise<string> {
  if (file !== undefined) {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new InputError(`cannot read ${file}: ${code}`);
    }
  }
  if (process.stdin.isTTY) throw new UsageError('no input: give a file or pipe the text on stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The JSON in `file`; `problem` makes the error for a file that cannot be read or is not JSON. */
export async function readJsonFile(file: string, problem: (message: string) => Error): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw problem(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw problem(`${file} is not valid JSON`);
  }
}
