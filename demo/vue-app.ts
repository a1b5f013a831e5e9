/** The Vue page: registers the element and mounts the single-file component that uses it. */
import { createApp } from 'vue';
import '../src/index.js';
import VueDemo from './VueDemo.vue';

createApp(VueDemo).mount('#app');
