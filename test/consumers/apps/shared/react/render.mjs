import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { KosmosIdvLauncher } from 'kosmos-idv-launcher/react';

console.log(renderToString(createElement(KosmosIdvLauncher, { id: 'launcher', endpoint: '/api/idv', onKosmosIdvComplete: () => {} })));
