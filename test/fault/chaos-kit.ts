/**
 * One kit process of the chaos suite (`chaos.ts` starts, kills and restarts it): `createIdvHandler`
 * on `node:http`, with the ledger the suite names (PostgreSQL or PGlite) and a sink that fails on
 * purpose: 10 % of calls throw before keeping the result, 10 % after (the kit never learns it was
 * kept). The sink appends each result it keeps to a JSON-lines file, as a page owner's database
 * would keep it, PII flag and all: the suite reads it to check that nothing was lost.
 *
 *   node --import tsx test/fault/chaos-kit.ts '<settings JSON>'   → prints "ready" once listening
 */
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createIdvHandler, createPgliteStore, createPostgresStore, type KosmosKeyPair } from '../../src/server/index.js';

export interface ChaosKitSettings {
  index: number;
  port: number;
  tenantDNS: string;
  communityName: string;
  licenseKey: string;
  keyPair: KosmosKeyPair;
  tokenSecret: string;
  storeKey: string;
  dvcID: Record<string, string>;
  sessionLifetime: number;
  /** PostgreSQL, or PGlite in `dataDir`. */
  database?: string;
  dataDir?: string;
  /** Where the sink keeps results (JSON lines). */
  sinkFile: string;
  /** Share of sink calls that fail (half before keeping, half after). */
  sinkFailure: number;
}

/** One line of the sink's file. */
export interface SinkLine {
  resultId: string;
  sessionId: string;
  status: string;
  hasPII: boolean;
  piiMissing: boolean;
  attempt: number;
  kit: number;
}

const settings = JSON.parse(process.argv[2]) as ChaosKitSettings;
const { database, dataDir } = settings;
const handler = createIdvHandler({
  tenantDNS: settings.tenantDNS,
  communityName: settings.communityName,
  dvcID: settings.dvcID,
  licenseKey: settings.licenseKey,
  keyPair: settings.keyPair,
  tokenSecret: settings.tokenSecret,
  storeKey: settings.storeKey,
  sessionLifetime: settings.sessionLifetime,
  store: database ? createPostgresStore({ connectionString: database }) : createPgliteStore({ dataDir: dataDir! }),
  timeoutMs: 3000,
  onResultTimeout: 2000,
  onResult: (result, context) => {
    const roll = Math.random();
    if (roll < settings.sinkFailure / 2) throw new Error('the sink failed before keeping the result');
    const line: SinkLine = {
      resultId: context.resultId,
      sessionId: context.sessionId,
      status: result.status,
      hasPII: result.hasPII,
      piiMissing: context.piiMissing,
      attempt: context.attempt,
      kit: settings.index,
    };
    appendFileSync(settings.sinkFile, `${JSON.stringify(line)}\n`);
    if (roll < settings.sinkFailure) throw new Error('the sink kept the result, then failed');
  },
  onError: ({ stage, error }) => {
    if (stage === 'store' || stage === 'request') process.stderr.write(`kit ${settings.index} ${stage}: ${(error as Error).message}\n`);
  },
});
await handler.ready();
const server = createServer((req, res) => void handler.node(req, res));
server.listen(settings.port, '127.0.0.1', () => process.stdout.write('ready\n'));
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void handler.close().then(() => process.exit(0));
});
