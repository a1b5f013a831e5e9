/**
 * Runs a fetch-API handler on `node:http` and Express: `(req, res, next?)`. Mounted with
 * `app.use('/api/idv', handler.node)` it sees Express's full URL (`originalUrl`); requests it
 * does not serve (`serves`) go to `next()` when there is one. A body that a body parser already
 * consumed is passed on as the parser read it: bytes as they are, text as UTF-8, JSON as JSON.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type NodeHandler = (
  req: IncomingMessage & { originalUrl?: string; baseUrl?: string; body?: unknown; rawBody?: Buffer },
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => Promise<void>;

export function nodeAdapter(
  handler: (request: Request) => Promise<Response>,
  serves: (pathname: string) => boolean,
  /**
   * The answer for a request under an Express mount path (`baseUrl`) that the kit does not serve,
   * or `undefined` when the kit does serve its routes under that mount (the request goes on to `next()`).
   */
  notServed: (baseUrl: string) => Response | undefined,
  /**
   * The answer for a request Node parsed but that makes no fetch-API `Request` (a backslash in the
   * path, a Host header that is not a host). Nothing else gets here: the handler answers every
   * error of its own.
   */
  unreadable: () => Response,
): NodeHandler {
  // Loaded on first use: `@hono/node-server` imports `node:http`, and the kit must also load on
  // fetch-API runtimes that have no Node built-ins and never call this adapter.
  let listener: Promise<(req: IncomingMessage, res: ServerResponse) => Promise<void>> | undefined;
  return async (req, res, next) => {
    listener ??= import('@hono/node-server').then(({ getRequestListener }) =>
      getRequestListener((request) => handler(request), { overrideGlobalObjects: false, errorHandler: unreadable }),
    );
    // Express strips its mount path from `req.url`; it must be left as it was for `next()`.
    const url = req.originalUrl ?? req.url ?? '/';
    const pathname = url.split('?')[0];
    // Mounted by Express at a path of its own (`app.use('/kyc', handler.node)`) that is not the
    // kit's basePath, nothing would ever be served: say so instead of a silent 404.
    const misplaced = next && !serves(pathname) && req.baseUrl && pathname.startsWith(req.baseUrl) ? notServed(req.baseUrl) : undefined;
    if (misplaced) return send(res, misplaced);
    if (next && !serves(pathname)) return next();
    req.url = url;
    const { body } = req;
    if (req.readableEnded && body !== undefined && !req.rawBody) {
      req.rawBody =
        body instanceof Uint8Array ? Buffer.from(body) : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    }
    try {
      await (await listener)(req, res);
    } catch (error) {
      if (next) next(error);
      else throw error;
    }
  };
}

/** Writes a fetch-API response (a small JSON one) to a Node response. */
async function send(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(await response.text());
}
