/** What the bundled demo pages (main, React, Vue) show the same way: the event log and the outcome. */
import type { KosmosIdvEventMap } from '../src/index.js';

/** The fault suite (test/fault) still reads the event names by this name. */
export { EVENT_NAMES as EVENTS } from '../src/components/events.js';

/** `#outcome` before a final status. */
export const NO_OUTCOME = 'none yet';

/** A log line: the time, the event's name and its fields (not `isTrusted`, nor Vue's `_vts`). */
export function describeEvent(event: Event): string {
  const own = Object.entries(event).filter(([key]) => key !== 'isTrusted' && !key.startsWith('_'));
  const fields = Object.fromEntries(own);
  return `${new Date().toLocaleTimeString()} ${event.type} ${JSON.stringify(fields)}`;
}

/** `#outcome` for a final event: `complete: passed`, `declined`, `expired`. */
export function outcomeOf(
  event: KosmosIdvEventMap['kosmos-idv-complete' | 'kosmos-idv-declined' | 'kosmos-idv-expired'],
): string {
  return 'verification' in event ? `complete: ${event.verification}` : event.type.replace('kosmos-idv-', '');
}
