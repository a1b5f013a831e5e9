/** `kosmos-idv-launcher`: registers `<kosmos-idv-launcher>` and exports its class, events and types. */
import './components/define.js';

export { tagName } from './components/define.js';
export {
  KosmosIdvLauncher,
  type LauncherState,
  type CreateSessionHook,
  type FetchStatusHook,
} from './components/kosmos-idv-launcher.js';
export * from './components/events.js';
export { defaultStrings, type IdvStrings } from './components/strings.js';
export { IdvError } from './api/errors.js';
export type { IdvErrorCode } from './contract/errors.js';
export type { Session, SessionRequest, StatusReport } from './contract/bodies.js';
export type { DocumentType, DocumentTypeWord, SessionStatus, Verification } from './contract/vocabulary.js';
