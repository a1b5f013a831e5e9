/**
 * The checks the backend kit's configuration and `KosmosClient`'s options share: valibot schemas
 * of the 1Kosmos connection fields (the key pair's two halves checked against each other) and the
 * words a failed check is told in.
 */
import * as v from 'valibot';
import { bytesToBase64, decodePrivateKey, decodePublicKey, publicKeyOf, type KosmosKeyPair } from './crypto.js';

/** A non-empty string, trimmed. */
export const text = (name: string) =>
  v.pipe(v.string(`${name} must be a string`), v.trim(), v.nonEmpty(`${name} must not be empty`));

/** An optional function. */
export const fn = (name: string) => v.optional(v.function(`${name} must be a function`));

/**
 * An optional whole number from `min` to `max` (`unit` follows the maximum in its message). Only
 * the first problem is told: Infinity is "at most …", not that as well as "a whole number".
 */
export const wholeNumber = (name: string, min: 0 | 1, max = Number.MAX_SAFE_INTEGER, unit = '') =>
  v.optional(
    v.config(
      v.pipe(
        v.number(`${name} must be a number`),
        v.minValue(min, `${name} must be at least ${min}`),
        v.maxValue(max, `${name} must be at most ${max}${unit}`),
        v.integer(`${name} must be a whole number`),
      ),
      { abortPipeEarly: true },
    ),
  );

/** The longest delay Node's `setTimeout` keeps: a longer one fires after 1 ms. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** An optional delay, ms, that a timer can wait. */
export const milliseconds = (name: string) => wholeNumber(name, 1, MAX_DELAY_MS, ' ms');

const TENANT_PROBLEM = 'tenantDNS must be a host name (and port), without scheme or path';

/** The 1Kosmos connection: tenant, community, licence, key pair, docuverify URL, result version, timeout. */
export const connection = {
  tenantDNS: v.pipe(
    text('tenantDNS'),
    v.regex(/^[a-z0-9.-]+(:\d+)?$|^\[::1\](:\d+)?$/i, TENANT_PROBLEM),
    v.check((host) => URL.canParse(`https://${host}/`), TENANT_PROBLEM),
  ),
  communityName: text('communityName'),
  licenseKey: text('licenseKey'),
  keyPair: v.pipe(
    v.object(
      { publicKey: text('keyPair.publicKey'), privateKey: text('keyPair.privateKey') },
      'keyPair must be { publicKey, privateKey }',
    ),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      try {
        return checkKeyPair(dataset.value);
      } catch (error) {
        addIssue({ message: (error as Error).message });
        return NEVER;
      }
    }),
  ),
  docuverifyUrl: v.optional(
    v.pipe(
      v.string('docuverifyUrl must be a string'),
      v.url('docuverifyUrl must be an http(s) URL'),
      v.regex(/^https?:/i, 'docuverifyUrl must be an http(s) URL'),
    ),
  ),
  resultVersion: v.optional(v.picklist(['v3', 'v1'], 'resultVersion must be v3 or v1')),
  timeoutMs: milliseconds('timeoutMs'),
  fetch: fn('fetch'),
};

/** The key pair with its public key in canonical base64; throws a `TypeError` saying what is wrong. */
function checkKeyPair(keyPair: KosmosKeyPair): KosmosKeyPair {
  let publicKey: string;
  try {
    decodePrivateKey(keyPair.privateKey);
    publicKey = bytesToBase64(decodePublicKey(keyPair.publicKey).subarray(1));
  } catch (error) {
    throw new TypeError(`keyPair: ${(error as Error).message}`, { cause: error });
  }
  if (publicKeyOf(keyPair.privateKey) !== publicKey) {
    throw new TypeError('keyPair.publicKey does not belong to keyPair.privateKey');
  }
  return { publicKey, privateKey: keyPair.privateKey };
}

/** A failed check in words: a missing field is named as missing; `whole` names what was checked. */
export function problemOf(issue: v.BaseIssue<unknown>, whole: string): string {
  const path = issue.path?.map((item) => String(item.key)).join('.');
  if (!path) return `${whole} must be an object`;
  return issue.input === undefined ? `${path} is required` : issue.message;
}
