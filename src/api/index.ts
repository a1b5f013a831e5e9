/** `kosmos-idv-launcher/api`: the backend contract's client, without any DOM. */
export * from './types.js';
export * from './errors.js';
export { normaliseStatus, normaliseVerification, normaliseDocumentType } from './normalise.js';
export { parseSession, parseStatusReport, safeHostedUrl } from './parse.js';
export { createClient, parseRetryAfter, type ClientOptions, type IdvClient } from './client.js';
export { Poller, type PollerOptions, type Clock } from './poller.js';
