/**
 * `kosmos-idv-launcher/react`: `<KosmosIdvLauncher>`, a React component made by `@lit/react`
 * around the element (registered by this import), with each event as a typed `onKosmosIdv…` prop,
 * and JSX types for the bare `<kosmos-idv-launcher>` tag. Needs `react` 19 and `@lit/react`
 * (optional peer dependencies). Safe to import during server-side rendering: nothing touches the
 * DOM until React mounts the component in a browser.
 */
import React from 'react';
import { createComponent, type EventName, type WebComponentProps } from '@lit/react';
import { tagName } from '../components/define.js';
import type {
  KosmosIdvCloseEvent,
  KosmosIdvCompleteEvent,
  KosmosIdvDeclinedEvent,
  KosmosIdvErrorEvent,
  KosmosIdvEventMap,
  KosmosIdvExpiredEvent,
  KosmosIdvOpenEvent,
  KosmosIdvSessionEvent,
  KosmosIdvStatusEvent,
} from '../components/events.js';
import { KosmosIdvLauncher as LauncherElement } from '../components/kosmos-idv-launcher.js';

export type { KosmosIdvLauncher as KosmosIdvLauncherElement } from '../components/kosmos-idv-launcher.js';

/**
 * The element as a React component: attributes and properties as props (`endpoint`,
 * `documentType`, `requestInit`, `strings` …), every event as an `onKosmosIdv…` prop receiving
 * the event's own class, and `ref` to the element (for `start()`, `reset()` …).
 */
export const KosmosIdvLauncher = createComponent({
  tagName,
  elementClass: LauncherElement,
  react: React,
  events: {
    onKosmosIdvSession: 'kosmos-idv-session' as EventName<KosmosIdvSessionEvent>,
    onKosmosIdvOpen: 'kosmos-idv-open' as EventName<KosmosIdvOpenEvent>,
    onKosmosIdvStatus: 'kosmos-idv-status' as EventName<KosmosIdvStatusEvent>,
    onKosmosIdvComplete: 'kosmos-idv-complete' as EventName<KosmosIdvCompleteEvent>,
    onKosmosIdvExpired: 'kosmos-idv-expired' as EventName<KosmosIdvExpiredEvent>,
    onKosmosIdvDeclined: 'kosmos-idv-declined' as EventName<KosmosIdvDeclinedEvent>,
    onKosmosIdvClose: 'kosmos-idv-close' as EventName<KosmosIdvCloseEvent>,
    onKosmosIdvError: 'kosmos-idv-error' as EventName<KosmosIdvErrorEvent>,
  },
  displayName: 'KosmosIdvLauncher',
});

/** The props of `<KosmosIdvLauncher>`. */
export type KosmosIdvLauncherProps = React.ComponentProps<typeof KosmosIdvLauncher>;

/**
 * The props of the bare `<kosmos-idv-launcher>` tag in React 19, which sets known properties on
 * the element and adds a listener for each `on{event name}` prop: the element's properties, its
 * kebab-case attributes, and `onkosmos-idv-complete` … listeners.
 */
export type KosmosIdvLauncherTagProps = WebComponentProps<LauncherElement> & {
  'document-type'?: string;
  'poll-interval'?: number | string;
  'no-resume'?: boolean;
} & {
  [K in keyof KosmosIdvEventMap as `on${K}`]?: (event: KosmosIdvEventMap[K]) => void;
};

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- React 19 keeps JSX in this namespace
  namespace JSX {
    interface IntrinsicElements {
      'kosmos-idv-launcher': KosmosIdvLauncherTagProps;
    }
  }
}
