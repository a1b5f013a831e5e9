/** `kosmos-idv`: parses the command line, runs one command, and maps failures to exit codes. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { collect } from './collect.js';
import { decrypt, encrypt, keygen } from './crypto-commands.js';
import { ConfigError, InputError, UsageError } from './errors.js';
import { ledger } from './ledger.js';
import { serve } from './serve.js';
import { simulate } from './simulate.js';
import { USAGE, type CommandName } from './usage.js';

const HELP = { help: { type: 'boolean', short: 'h' } } as const;
const KEYS = {
  ...HELP,
  'private-key': { type: 'string' },
  'private-key-file': { type: 'string' },
  'public-key': { type: 'string' },
} as const;

const OPTIONS = {
  keygen: HELP,
  encrypt: KEYS,
  decrypt: KEYS,
  simulate: {
    ...HELP,
    port: { type: 'string' },
    host: { type: 'string' },
    'license-key': { type: 'string' },
    'session-lifetime': { type: 'string' },
    config: { type: 'string' },
    tls: { type: 'boolean' },
  },
  serve: { ...HELP, config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
  collect: { ...HELP, config: { type: 'string' }, once: { type: 'boolean' } },
  ledger: {
    ...HELP,
    config: { type: 'string' },
    pending: { type: 'boolean' },
    json: { type: 'boolean' },
    redeliver: { type: 'string' },
    limit: { type: 'string' },
  },
} satisfies Record<CommandName, ParseArgsConfig['options']>;

const MAX_FILES: Record<CommandName, number> = { keygen: 0, encrypt: 1, decrypt: 1, simulate: 0, serve: 0, collect: 0, ledger: 0 };

const isCommand = (name: string): name is CommandName => Object.hasOwn(OPTIONS, name);

/** Where the CLI writes. */
export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

function parse(command: CommandName, args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS[command], allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

async function runCommand(command: CommandName, args: string[], out: Output): Promise<void> {
  const { values, positionals } = parse(command, args);
  const flags = values as Record<string, string | boolean | undefined>;
  if (flags.help) return out.stdout(USAGE[command]);
  if (positionals.length > MAX_FILES[command]) {
    throw new UsageError(`unexpected argument "${positionals[MAX_FILES[command]]}"`);
  }
  const str = (name: string) => flags[name] as string | undefined;
  const config = () => {
    const file = str('config');
    if (file === undefined) throw new UsageError('--config <kit.json> is required');
    return file;
  };
  const keys = { privateKey: str('private-key'), privateKeyFile: str('private-key-file'), publicKey: str('public-key'), file: positionals[0] };
  switch (command) {
    case 'keygen':
      return out.stdout(`${keygen()}\n`);
    case 'encrypt':
      return out.stdout(`${await encrypt(keys)}\n`);
    case 'decrypt': {
      const plaintext = await decrypt(keys);
      return out.stdout(plaintext.endsWith('\n') ? plaintext : `${plaintext}\n`);
    }
    case 'simulate':
      return simulate(
        {
          port: str('port'),
          host: str('host'),
          licenseKey: str('license-key'),
          sessionLifetime: str('session-lifetime'),
          config: str('config'),
          tls: flags.tls === true,
        },
        (line) => out.stdout(`${line}\n`),
      );
    case 'serve':
      return serve(
        { config: config(), port: str('port'), host: str('host') },
        (line) => out.stdout(`${line}\n`),
        (line) => out.stderr(`kosmos-idv: ${line}\n`),
      );
    case 'collect':
      return collect(
        { config: config(), once: flags.once === true },
        (line) => out.stdout(`${line}\n`),
        (line) => out.stderr(`kosmos-idv: ${line}\n`),
      );
    case 'ledger': {
      const limit = str('limit') ?? '1000';
      if (!/^[1-9]\d{0,5}$/.test(limit)) throw new UsageError('--limit must be a whole number from 1 to 999999');
      return ledger(
        { config: config(), pending: flags.pending === true, json: flags.json === true, redeliver: str('redeliver'), limit: Number(limit) },
        (line) => out.stdout(`${line}\n`),
      );
    }
  }
}

/** Runs `kosmos-idv` with `argv` (without node and the script); resolves to the exit code. */
export async function run(argv: string[], out: Output): Promise<number> {
  const [command, ...args] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    out.stdout(USAGE.main);
    return 0;
  }
  try {
    if (command === undefined) throw new UsageError('a command is required');
    if (!isCommand(command)) throw new UsageError(`unknown command "${command}"`);
    await runCommand(command, args, out);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      out.stderr(`kosmos-idv: ${error.message}\n`);
      out.stderr(`Run "kosmos-idv${isCommand(command ?? '') ? ` ${command}` : ''} --help" for usage.\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      for (const line of error.message.split('\n')) out.stderr(`kosmos-idv: ${line}\n`);
      return 2;
    }
    if (error instanceof InputError) {
      for (const line of error.message.split('\n')) out.stderr(`kosmos-idv: ${line}\n`);
      return 1;
    }
    out.stderr(`kosmos-idv: unexpected error: ${(error as Error).message ?? String(error)}\n`);
    return 1;
  }
}
