/**
 * The simulator's HTTP surface: service discovery, the docuverify API (with fault injection),
 * the hosted flow and the control endpoints. Every error is a plain `{ code, message }`; anything
 * unexpected becomes a bare 500 without a stack.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { randomBytes } from 'node:crypto';
import type { SimulatorContext } from './context.js';
import { controlRoutes, readJson } from './control.js';
import { SimulatorHttpError } from './errors.js';
import { hostedRoutes } from './hosted.js';
import { sessionPath } from './pages.js';
import { checkCreatePayload, checkResultPayload } from './payloads.js';
import { buildResult, type ResultVersion } from './results.js';
import { retentionOf, takePii } from './retention.js';

/** The ids community_info gives the simulated tenant and its community (1Kosmos's are 24 hex digits). */
const TENANT_ID = '000000000000000000000001';
const COMMUNITY_ID = '000000000000000000000002';

/** The services `/caas/sd` lists, as 1Kosmos's helpers know them (they drop an answer without `licenses`); only docuverify is served. */
const SERVICES = [
  'sessions',
  'licenses',
  'global_caas',
  'adminconsole',
  'user_management',
  'authn',
  'authz',
  'acr',
  'reports',
  'webauthn',
  'docuverify',
];

const MAX_BODY_BYTES = 1024 * 1024;

function docuverifyRoutes(context: SimulatorContext): Hono {
  const api = new Hono();
  const { faults, guard, store, config, keys } = context;

  api.use('*', async (c, next) => {
    const fault = faults.draw(c.req.path.endsWith('/result'));
    // The latency is the answer's: a request is checked and acted on when it arrives (the age of
    // its requestid too), as over a slow network.
    if (fault === 'none') {
      await next();
      await faults.delay();
      return;
    }
    await faults.delay();
    if (fault === 'error') {
      return c.json({ code: 503, message: 'service unavailable (simulated fault)' }, 503);
    }
    if (fault === 'non_json') return c.html('<html><body><p>Bad gateway</p></body></html>');
    return c.json({ data: randomBytes(64).toString('base64'), publicKey: keys.current.publicKey });
  });

  api.get('/publickeys', (c) => c.json({ publicKey: keys.current.publicKey }));

  api.post('/document_share_session/create', async (c) => {
    const caller = await guard.authenticate((name) => c.req.header(name));
    const payload = await guard.readBody(caller, await c.req.text());
    const record = store.create(checkCreatePayload(payload, config, context.address.tenantDNS));
    return c.json({ sessionId: record.id, url: `${context.address.publicUrl}${sessionPath(record.id)}` });
  });

  const result = (version: ResultVersion) =>
    api.post(`${version === 'v3' ? '/v3' : ''}/document_share_session/result`, async (c) => {
      const caller = await guard.authenticate((name) => c.req.header(name));
      const payload = await guard.readBody(caller, await c.req.text());
      const { dvcID, sessionId } = checkResultPayload(payload, config);
      const record = store.get(sessionId);
      if (!record || record.dvcID !== dvcID) throw new SimulatorHttpError(404, 'session not found');
      const pii = takePii(record, retentionOf(config, record), context.clock.now());
      store.countResult(record);
      const plaintext = await buildResult(version, record, pii, {
        origin: context.address.origin,
        jwtSecret: context.jwtSecret,
        undocumentedFields: config.undocumentedFields,
      });
      return c.json({
        data: await caller.cipher.encrypt(JSON.stringify(plaintext)),
        publicKey: caller.servicePublicKey,
      });
    });
  result('v1');
  result('v3');
  return api;
}

/** The whole simulator as a Hono app. */
export function createApp(context: SimulatorContext): Hono {
  const app = new Hono();
  app.onError((error, c) =>
    error instanceof SimulatorHttpError
      ? c.json({ code: error.status, message: error.message }, error.status)
      : c.json({ code: 500, message: 'internal simulator error' }, 500),
  );
  app.notFound((c) => c.json({ code: 404, message: 'not found' }, 404));
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json({ code: 413, message: 'request body is larger than 1 MiB' }, 413),
    }),
  );

  app.get('/caas/sd', (c) =>
    c.json(Object.fromEntries(SERVICES.map((name) => [name, `${context.address.origin}/${name}`]))),
  );
  // 1Kosmos's helpers ask this first, for the community's name to send in sessionRequest.
  app.post('/api/r1/system/community_info/fetch', async (c) => {
    const body = await readJson(c);
    const tenant = { id: TENANT_ID, dns: context.address.tenantDNS, tenanttag: 'simulator', name: '1Kosmos simulator' };
    const community = { id: COMMUNITY_ID, name: context.config.communityName, tenantid: TENANT_ID };
    const tenantKnown =
      body.tenantId !== undefined ? body.tenantId === TENANT_ID : typeof body.dns === 'string' && body.dns.toLowerCase() === tenant.dns.toLowerCase();
    if (!tenantKnown) throw new SimulatorHttpError(404, 'tenant not found');
    const communityKnown = body.communityId !== undefined ? body.communityId === COMMUNITY_ID : body.communityName === community.name;
    if (!communityKnown) throw new SimulatorHttpError(404, 'community not found');
    return c.json({ tenant, community });
  });
  app.route('/docuverify', docuverifyRoutes(context));
  app.route('/idproofing', hostedRoutes(context));
  app.route('/_simulator', controlRoutes(context));
  return app;
}
