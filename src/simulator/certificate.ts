/**
 * The simulator's self-signed certificate (`tls: true`), so that clients which only speak
 * `https://{tenantDNS}` (1Kosmos's own helper libraries) can be pointed at it. A fresh key and
 * certificate per start; a client trusts the certificate (PEM) or skips verification, and
 * `trustingFetch` is such a client for the same process (the kit).
 */
import { request } from 'node:https';
import { isIP } from 'node:net';

export interface Certificate {
  /** PEM. */
  cert: string;
  /** PEM (PKCS#8). */
  key: string;
}

const DAYS = 30;

/** A certificate for `localhost`, `127.0.0.1`, `::1` and `hosts` (names or IP addresses). */
export async function selfSignedCertificate(hosts: string[]): Promise<Certificate> {
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hosts])];
  // Loaded only here, with tls: selfsigned brings @peculiar/x509 and pkijs (~150 ms) and installs a
  // global Reflect.getMetadata polyfill, which a simulator without tls has no need of.
  const { generate } = await import('selfsigned');
  const notBeforeDate = new Date();
  const pems = await generate([{ name: 'commonName', value: 'kosmos-idv 1Kosmos simulator' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + DAYS * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name })) },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Statuses whose answer has no body (a `Response` refuses one). */
const NO_BODY = new Set([204, 205, 304]);

/**
 * A fetch over `node:https` that trusts `ca` only: the global fetch cannot be given a certificate.
 * Enough for the kit's calls (method, headers, a string body, a signal) and their answers.
 */
export function trustingFetch(ca: string): typeof fetch {
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') {
        throw new TypeError('the simulator\'s fetch sends string bodies only');
      }
      const url = new URL(input instanceof Request ? input.url : String(input));
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const options = { method: init.method ?? 'GET', headers, ca, signal: init.signal ?? undefined };
      const outgoing = request(url, options, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const status = incoming.statusCode ?? 502;
          const answer = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            for (const item of [value ?? []].flat()) answer.append(name, item);
          }
          resolve(new Response(NO_BODY.has(status) ? null : Buffer.concat(chunks), { status, headers: answer }));
        });
      });
      outgoing.on('error', reject);
      outgoing.end(init.body ?? undefined);
    });
}
