export * from './crypto.js';
export * from './errors.js';
export * from './result.js';
export {
  KosmosClient,
  type CreatedSession,
  type CreateSessionInput,
  type GetResultInput,
  type KosmosClientOptions,
  type KosmosUser,
} from './kosmos-client.js';
export { createIdvHandler, MAX_BODY_BYTES, TICKET_HEADER, type IdvHandler } from './handler.js';
export { SIGNATURE_HEADER, signWebhook, verifyWebhook, WebhookVerificationError, type WebhookEvent, type WebhookOptions } from './webhook.js';
export {
  IdvConfigError,
  type IdvHandlerConfig,
  type IdvHandlerError,
  type ResultContext,
} from './config.js';
export type { NodeHandler } from './node-adapter.js';
export { createPostgresStore, type PostgresStoreOptions } from './ledger/postgres.js';
export { createPgliteStore, type PgliteStoreOptions } from './ledger/pglite.js';
export { createMemoryStore } from './ledger/memory.js';
export { StoreUnavailableError, type LedgerStore, type LedgerEntry, type DeliveryState, type ResultStatus } from './ledger/store.js';
