/**
 * Type tests of `kosmos-idv-launcher/react`, checked by `npm run typecheck` (never run): the
 * wrapper's event props receive the events' own classes, and the bare tag is known to JSX.
 * Each `@ts-expect-error` fails the type check if the mistake below it stops being an error.
 */
import type { KosmosIdvLauncherElement } from '../../src/react/index.js';
import { KosmosIdvLauncher } from '../../src/react/index.js';

export const wrapper = (
  <KosmosIdvLauncher
    endpoint="/api/idv"
    documentType="passport"
    pollInterval={1000}
    requestInit={{ credentials: 'include' }}
    strings={{ start: 'Check my ID' }}
    onKosmosIdvComplete={(event) => event.verification satisfies 'passed' | 'failed' | 'not_performed'}
    onKosmosIdvError={(event) => event.retryable satisfies boolean}
    onKosmosIdvStatus={(event) => event.previous}
    ref={(element: KosmosIdvLauncherElement | null) => element?.reset()}
  />
);

// @ts-expect-error pollInterval is a number
export const badProperty = <KosmosIdvLauncher pollInterval="fast" />;

// @ts-expect-error state is read-only: the element sets it
export const readOnlyProp = <KosmosIdvLauncher endpoint="/api/idv" state="completed" />;

// @ts-expect-error sessionId is read-only
export const readOnlySession = <KosmosIdvLauncher endpoint="/api/idv" sessionId="s1" />;

// @ts-expect-error mode is one of the launch modes
export const badMode = <KosmosIdvLauncher mode="window" />;

// @ts-expect-error documentType is one of the accepted words
export const badDocument = <KosmosIdvLauncher documentType="visa" />;

// @ts-expect-error a complete event has no `code`
export const badEvent = <KosmosIdvLauncher onKosmosIdvComplete={(event) => event.code} />;

export const bareTag = (
  <kosmos-idv-launcher
    id="launcher"
    endpoint="/api/idv"
    document-type="id_card"
    poll-interval={500}
    onkosmos-idv-complete={(event) => event.verification satisfies string}
    onkosmos-idv-declined={(event) => event.sessionId}
  />
);

// @ts-expect-error a declined event has no `verification`
export const badTagEvent = <kosmos-idv-launcher onkosmos-idv-declined={(event) => event.verification} />;

// @ts-expect-error state is read-only on the bare tag too
export const readOnlyTagProp = <kosmos-idv-launcher state="completed" />;
