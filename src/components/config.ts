/** The element's configuration checks: a problem is `invalid_config`, shown rather than guessed around. */
import { IdvError } from '../api/errors.js';
import { DOCUMENT_TYPES, type DocumentType } from '../contract/vocabulary.js';
import type { LaunchMode } from './events.js';

export const MODES: readonly LaunchMode[] = ['popup', 'tab', 'redirect', 'embedded', 'qr'];
export const MIN_POLL_INTERVAL_MS = 250;

export interface Config {
  mode: string;
  /** The `document-type` as given, and as normalised (`undefined` when it is not a known word). */
  documentType?: string;
  normalisedDocumentType?: DocumentType;
  endpoint: string;
  hooks: boolean;
  pollInterval: number;
}

export function configProblem(config: Config): IdvError | undefined {
  const problem = (message: string) => new IdvError('invalid_config', message);
  if (!MODES.includes(config.mode as LaunchMode)) {
    return problem(`mode "${config.mode}" is not one of ${MODES.join(', ')}`);
  }
  if (config.documentType && !config.normalisedDocumentType) {
    return problem(`document-type "${config.documentType}" is not one of ${DOCUMENT_TYPES.join(', ')}`);
  }
  if (!config.endpoint && !config.hooks) {
    return problem('Set endpoint, or both createSession and fetchStatus');
  }
  if (!(config.pollInterval >= MIN_POLL_INTERVAL_MS)) {
    return problem(`poll-interval must be at least ${MIN_POLL_INTERVAL_MS} (ms)`);
  }
  return undefined;
}
