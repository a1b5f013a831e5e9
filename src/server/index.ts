export * from './crypto.js';
export * from './errors.js';
export * from './result.js';
export * from './kosmos-client.js';
export { createIdvHandler, MAX_BODY_BYTES, type IdvHandler } from './handler.js';
export {
  IdvConfigError,
  type IdvHandlerConfig,
  type IdvHandlerError,
  type ResultContext,
} from './config.js';
export type { NodeHandler } from './node-adapter.js';
