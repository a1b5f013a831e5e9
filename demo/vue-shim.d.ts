/** `.vue` files for `tsc`, which does not read them (Vite's Vue plugin compiles them). */
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
