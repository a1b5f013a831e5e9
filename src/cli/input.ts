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
