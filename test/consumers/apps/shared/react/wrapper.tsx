import { KosmosIdvLauncher, type KosmosIdvLauncherElement } from 'kosmos-idv-launcher/react';

export const wrapper = (
  <KosmosIdvLauncher
    endpoint="/api/idv"
    documentType="passport"
    pollInterval={1000}
    onKosmosIdvComplete={(event) => event.verification satisfies 'passed' | 'failed' | 'not_performed'}
    ref={(element: KosmosIdvLauncherElement | null) => element?.reset()}
  />
);

// @ts-expect-error pollInterval is a number
export const badProperty = <KosmosIdvLauncher pollInterval="fast" />;
