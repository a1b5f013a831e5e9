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
export { IdvError, type IdvErrorCode } from './api/errors.js';
export type {
  DocumentType,
  Session,
  SessionRequest,
  SessionStatus,
  StatusReport,
  Verification,
} from './api/types.js';
