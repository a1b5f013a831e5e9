/**
 * The simulator's self-signed certificate (`tls: true`), so that clients which only speak
 * `https://{tenantDNS}` (1Kosmos's own helper libraries) can be pointed at it. A fresh key and
 * certificate per start; a client trusts the certificate (PEM) or skips verification.
 */
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

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
