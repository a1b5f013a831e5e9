/**
 * Control endpoints for tests and demos, mounted at `/_simulator` (not part of 1Kosmos's API):
 * - `GET  /clock` → `{ now }`; `POST /clock/advance { seconds }` → `{ now }` (ms, simulator clock)
 * - `GET  /sessions/:id` → the session's {@link SessionView}
 * - `POST /sessions/:id/step { action: 'start'|'decline'|'document'|'selfie', outcome?, reasonCode? }`
 *   → the session's view; 409 when the session's state does not allow the step
 * - `GET  /faults`, `POST /faults { latencyMs?, errorRate?, malformedRate? }` → the fault settings
 * - `POST /rotate-key` → `{ publicKey }` (the new service public key)
 * - `GET  /stats` → `{ createCalls, resultCalls }` per dvcID
 */
import { Hono, type Context } from 'hono';
import type { SimulatorContext } from './context.js';
import { checkFaults, type FaultSettings } from './config.js';
import { SessionStepError, SimulatorHttpError } from './errors.js';
import { SimulatedSession, viewOf } from './state.js';

const badRequest = (message: string) => new SimulatorHttpError(400, message);

/** A request's JSON object body, or a 400. */
export async function readJson(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw badRequest('request body must be JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function runStep(session: SimulatedSession, body: Record<string, unknown>): void {
  const { action, outcome, reasonCode } = body;
  if (reasonCode !== undefined && typeof reasonCode !== 'string') throw badRequest('reasonCode must be a string');
  switch (action) {
    case 'start':
      return session.start();
    case 'decline':
      return session.decline();
    case 'document':
      if (outcome !== undefined && outcome !== 'pass' && outcome !== 'fail' && outcome !== 'not_performed') {
        throw badRequest('outcome of a document must be "pass", "fail" or "not_performed"');
      }
      return session.document(outcome, reasonCode);
    case 'selfie':
      if (outcome !== undefined && outcome !== 'pass' && outcome !== 'fail') {
        throw badRequest('outcome of a selfie must be "pass" or "fail"');
      }
      return session.selfie(outcome, reasonCode);
    default:
      throw badRequest('action must be "start", "decline", "document" or "selfie"');
  }
}

/** The control endpoints, to be mounted at `/_simulator`. */
export function controlRoutes(context: SimulatorContext): Hono {
  const control = new Hono();
  const { clock, store, faults } = context;

  control.get('/clock', (c) => c.json({ now: clock.now() }));
  control.post('/clock/advance', async (c) => {
    const { seconds } = await readJson(c);
    try {
      clock.advance(seconds as number);
    } catch (error) {
      if (error instanceof RangeError) throw badRequest(error.message);
      throw error;
    }
    return c.json({ now: clock.now() });
  });

  const session = (c: Context) => {
    const record = store.get(c.req.param('id') ?? '');
    if (!record) throw new SimulatorHttpError(404, 'session not found');
    return record;
  };
  control.get('/sessions/:id', (c) => c.json(viewOf(session(c))));
  control.post('/sessions/:id/step', async (c) => {
    const record = session(c);
    const body = await readJson(c);
    try {
      runStep(new SimulatedSession(store, record), body);
    } catch (error) {
      if (error instanceof SessionStepError) throw new SimulatorHttpError(409, error.message);
      throw error;
    }
    return c.json(viewOf(record));
  });

  control.get('/faults', (c) => c.json(faults.snapshot()));
  control.post('/faults', async (c) => {
    const body = await readJson(c);
    const problems = checkFaults(body);
    if (problems.length > 0) throw badRequest(problems.join('; '));
    return c.json(faults.update(body as Partial<FaultSettings>));
  });

  control.post('/rotate-key', (c) => c.json({ publicKey: faults.rotateKey() }));
  control.get('/stats', (c) => c.json(store.stats()));
  return control;
}
