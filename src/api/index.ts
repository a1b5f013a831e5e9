/** `kosmos-idv-launcher/api`: the backend contract's client, without any DOM. */
export * from '../contract/index.js';
export * from './errors.js';
export { parseSession, parseStatusReport, safeHostedUrl } from './parse.js';
export { createClient, type ClientOptions, type IdvClient } from './client.js';
export { Poller, type PollerOptions, type Clock } from './poller.js';
export { createBackend, type Backend, type BackendOptions, type CreateSessionHook, type FetchStatusHook } from './backend.js';
