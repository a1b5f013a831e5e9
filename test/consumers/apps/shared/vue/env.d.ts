import type {} from 'kosmos-idv-launcher/vue';
