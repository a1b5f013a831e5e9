/**
 * Type tests of `kosmos-idv-launcher/vue`, checked by `npm run typecheck` (never run): what Vue's
 * template type checker sees for `<kosmos-idv-launcher>`. Each `@ts-expect-error` fails the type
 * check if the mistake below it stops being an error.
 */
import type { GlobalComponents } from 'vue';
import type {} from '../../src/vue/index.js';
import type { KosmosIdvCompleteEvent, KosmosIdvDeclinedEvent, KosmosIdvErrorEvent } from '../../src/index.js';

type Launcher = InstanceType<GlobalComponents['kosmos-idv-launcher']>;

export const props: Launcher['$props'] = {
  endpoint: '/api/idv',
  documentType: 'passport',
  pollInterval: 1000,
  requestInit: { credentials: 'include' },
  strings: { start: 'Check my ID' },
  class: 'launcher',
};

// A static attribute: `poll-interval="250"` in a template.
export const attributeValue: Launcher['$props'] = { pollInterval: '250' };

// @ts-expect-error pollInterval is a number, or a number written as an attribute value
export const badProps: Launcher['$props'] = { pollInterval: 'fast' };

export function emits(emit: Launcher['$emit'], complete: KosmosIdvCompleteEvent, declined: KosmosIdvDeclinedEvent): void {
  emit('kosmos-idv-complete', complete);
  emit('kosmos-idv-declined', declined);
  // @ts-expect-error the complete event carries a KosmosIdvCompleteEvent
  emit('kosmos-idv-complete', declined);
  // @ts-expect-error no such event
  emit('kosmos-idv-finished', complete);
}

// @ts-expect-error state is read-only: the element sets it
export const readOnlyProps: Launcher['$props'] = { state: 'completed' };

// @ts-expect-error mode is one of the launch modes
export const badMode: Launcher['$props'] = { mode: 'window' };

// `@kosmos-idv-complete="…"` in a template: the handler prop, given its event class.
export const handlers: Launcher['$props'] = {
  onKosmosIdvComplete: (event: KosmosIdvCompleteEvent) => event.verification,
  onKosmosIdvError: (event: KosmosIdvErrorEvent) => event.code,
};

// @ts-expect-error a complete handler does not take an error event
export const badHandler: Launcher['$props'] = { onKosmosIdvComplete: (event: KosmosIdvErrorEvent) => event.code };
