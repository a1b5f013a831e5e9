// `moduleResolution: node10` ignores package.json `exports`: every subpath resolves through `typesVersions`.
import type { KosmosIdvLauncher } from 'kosmos-idv-launcher';
import type { createClient } from 'kosmos-idv-launcher/api';
import type { KosmosIdvLauncherProps } from 'kosmos-idv-launcher/react';
import type { KosmosIdvLauncherVueProps } from 'kosmos-idv-launcher/vue';
import type { createIdvHandler } from 'kosmos-idv-launcher/server';
import type { startSimulator } from 'kosmos-idv-launcher/simulator';
import type { tagName } from 'kosmos-idv-launcher/cdn';
import type fr from 'kosmos-idv-launcher/locales/fr';
import type ptBR from 'kosmos-idv-launcher/locales/pt-BR';
// @ts-expect-error a subpath the package does not have still fails
import type { nothing } from 'kosmos-idv-launcher/nothing';

export type Used = [KosmosIdvLauncher, typeof createClient, KosmosIdvLauncherProps, KosmosIdvLauncherVueProps, typeof createIdvHandler, typeof startSimulator, typeof tagName, typeof fr, typeof ptBR, typeof nothing];
