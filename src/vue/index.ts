/**
 * `kosmos-idv-launcher/vue`: types only. `import type {} from 'kosmos-idv-launcher/vue'` once
 * (e.g. in `env.d.ts`) and Vue's template type checking (`vue-tsc`, the Vue language tools)
 * knows `<kosmos-idv-launcher>`: its properties and its `@kosmos-idv-…` events. Registering the
 * element stays `import 'kosmos-idv-launcher'`; Vue must treat the tag as a custom element
 * (`compilerOptions.isCustomElement`, see the README).
 */
// Only names that Vue 3.3 exports: a name it lacks (`PublicProps` came in 3.4; `EmitFn` is not
// exported) would be `any` under `skipLibCheck` and switch the checks below off.
import type { AllowedComponentProps, ComponentCustomProps, HTMLAttributes, VNodeProps } from 'vue';
import type { KosmosIdvEventMap } from '../components/events.js';
import type { KosmosIdvLauncher } from '../components/kosmos-idv-launcher.js';

/** The element's properties a template may set (as attributes, or with `.prop` for objects and hooks). */
type TemplateProperties = Pick<
  KosmosIdvLauncher,
  | 'endpoint'
  | 'documentType'
  | 'username'
  | 'firstname'
  | 'lastname'
  | 'uid'
  | 'mode'
  | 'pollInterval'
  | 'noResume'
  | 'noRetry'
  | 'disabled'
  | 'requestInit'
  | 'createSession'
  | 'fetchStatus'
  | 'strings'
>;

/**
 * The props a template may write: each property by its type, and a number also as the attribute
 * value that the element converts (`poll-interval="250"`, which Vue sets as an attribute).
 */
export type KosmosIdvLauncherVueProps = {
  [K in keyof TemplateProperties]?: TemplateProperties[K] extends number ? number | `${number}` : TemplateProperties[K];
};

/** `kosmos-idv-status` → `KosmosIdvStatus`. */
type Pascal<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Capitalize<Head>}${Pascal<Tail>}` : Capitalize<S>;

/**
 * The events as Vue's handler props (`@kosmos-idv-complete` is `onKosmosIdvComplete`), each
 * handler given its event class.
 */
export type KosmosIdvLauncherVueEvents = {
  [K in keyof KosmosIdvEventMap as `on${Pascal<K>}`]?: (event: KosmosIdvEventMap[K]) => void;
};

/**
 * `<kosmos-idv-launcher>` as Vue's template type checker sees a component: the element, plus
 * `$props` and `$emit`, which exist only for type checking (the Vue documentation's way for custom
 * elements not built with Vue).
 */
export type KosmosIdvLauncherVue = new () => KosmosIdvLauncher & {
  /** @deprecated For template type checking only: not on the element. */
  $props: HTMLAttributes &
    KosmosIdvLauncherVueProps &
    KosmosIdvLauncherVueEvents &
    VNodeProps &
    AllowedComponentProps &
    ComponentCustomProps;
  /** @deprecated For template type checking only: not on the element. */
  $emit: <K extends keyof KosmosIdvEventMap>(event: K, payload: KosmosIdvEventMap[K]) => void;
};

declare module 'vue' {
  interface GlobalComponents {
    'kosmos-idv-launcher': KosmosIdvLauncherVue;
  }
}
