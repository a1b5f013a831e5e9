/**
 * `kosmos-idv-launcher/react`: `<KosmosIdvLauncher>`, a React component made by `@lit/react`
 * around the element (registered by this import), with each event as a typed `onKosmosIdv…` prop,
 * and JSX types for the bare `<kosmos-idv-launcher>` tag. Needs `react` 18 or 19 and `@lit/react`
 * (optional peer dependencies). Safe to import during server-side rendering: nothing touches the
 * DOM until React mounts the component in a browser. A client module (`'use client'`): a React
 * Server Component may render `<KosmosIdvLauncher>` with serialisable props (strings, numbers,
 * plain objects); event props and hooks are functions, which only a client component can pass.
 */
'use client';
import React from 'react';
import { createComponent, type EventName, type WebComponentProps } from '@lit/react';
import { tagName } from '../components/define.js';
import { EVENT_NAMES, type KosmosIdvEventMap } from '../components/events.js';
import { KosmosIdvLauncher as LauncherElement } from '../components/kosmos-idv-launcher.js';

export type { KosmosIdvLauncher as KosmosIdvLauncherElement } from '../components/kosmos-idv-launcher.js';

/** `kosmos-idv-complete` → `onKosmosIdvComplete`. */
type EventProp<Name extends string> = Name extends `kosmos-idv-${infer Word}` ? `onKosmosIdv${Capitalize<Word>}` : never;

/** Each event as its `onKosmosIdv…` prop, typed with the event's own class. */
const events = Object.fromEntries(
  EVENT_NAMES.map((name) => [name.replace(/^kosmos-idv-(.)/, (_, first: string) => `onKosmosIdv${first.toUpperCase()}`), name]),
) as { [K in keyof KosmosIdvEventMap as EventProp<K>]: EventName<KosmosIdvEventMap[K]> };

const component = createComponent({
  tagName,
  elementClass: LauncherElement,
  react: React,
  events,
  displayName: 'KosmosIdvLauncher',
});

/** The element's properties that only it sets: a page reads them from the `ref`. */
type ReadOnlyProperty = 'state' | 'status' | 'verification' | 'sessionId';

/** The props of `<KosmosIdvLauncher>`: not the read-only properties. */
export type KosmosIdvLauncherProps = Omit<React.ComponentProps<typeof component>, ReadOnlyProperty>;

/**
 * The element as a React component: attributes and properties as props (`endpoint`,
 * `documentType`, `requestInit`, `strings` …), every event as an `onKosmosIdv…` prop receiving
 * the event's own class, and `ref` to the element (for `start()`, `reset()` …).
 */
export const KosmosIdvLauncher = component as React.ForwardRefExoticComponent<KosmosIdvLauncherProps>;

/**
 * The props of the bare `<kosmos-idv-launcher>` tag in React 19, which sets known properties on
 * the element and adds a listener for each `on{event name}` prop: the element's properties, its
 * kebab-case attributes, and `onkosmos-idv-complete` … listeners.
 */
export type KosmosIdvLauncherTagProps = Omit<WebComponentProps<LauncherElement>, ReadOnlyProperty> & {
  'document-type'?: string;
  'poll-interval'?: number | string;
  'no-resume'?: boolean;
  'no-retry'?: boolean;
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
