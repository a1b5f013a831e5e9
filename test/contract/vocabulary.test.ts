import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DOCUMENT_TYPES,
  normaliseDocumentType,
  normaliseStatus,
  normaliseVerification,
  SESSION_STATUSES,
  VERIFICATIONS,
  wireDocumentType,
} from '../../src/contract/vocabulary.js';

/** The seed's words (as it prints them) beside the contract's. */
const SEED_STATUSES = [
  ['Pending', 'pending'],
  ['In Progress', 'in_progress'],
  ['Completed', 'completed'],
  ['Expired', 'expired'],
  ['Declined', 'declined'],
] as const;

const SEED_VERIFICATIONS = [
  ['Passed', 'passed'],
  ['Failed', 'failed'],
  ['Not performed', 'not_performed'],
] as const;

/** A word with each letter's case flipped at random and its separators replaced by any run of spaces, `_` or `-`. */
const variantOf = (word: string) =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }),
      fc.array(fc.stringMatching(/^[ _\-\t]{0,3}$/), { minLength: word.length + 1, maxLength: word.length + 1 }),
    )
    .map(([upper, gaps]) => {
      const letters = word.replace(/[ _]/g, '');
      const cased = [...letters].map((c, i) => gaps[i] + (upper[i] ? c.toUpperCase() : c.toLowerCase()));
      return cased.join('') + gaps[letters.length];
    });

test('normaliseStatus maps the contract words and the seed words in any case', () => {
  for (const status of SESSION_STATUSES) assert.equal(normaliseStatus(status), status);
  for (const [seed, status] of SEED_STATUSES) {
    assert.equal(normaliseStatus(seed), status);
    assert.equal(normaliseStatus(seed.toUpperCase()), status);
    assert.equal(normaliseStatus(seed.toLowerCase()), status);
  }
  const inProgress = ['In Progress', 'in_progress', 'IN_PROGRESS', 'in-progress', 'InProgress', 'INPROGRESS', ' in progress '];
  for (const word of inProgress) {
    assert.equal(normaliseStatus(word), 'in_progress', word);
  }
  assert.equal(normaliseStatus('COMPLETED'), 'completed');
});

test("normaliseStatus reads 1Kosmos's own poll word", () => {
  // `responseStatus` of 1Kosmos's example poll answer (fixtures/1kosmos/result-v3-inprogress.json).
  assert.equal(normaliseStatus('INPROGRESS'), 'in_progress');
});

test('normaliseStatus rejects anything else with undefined', () => {
  const others = ['', ' ', 'progress', 'in progress x', 'complete', 'done', 'passed', 'constructor', '__proto__', 'toString'];
  for (const word of others) {
    assert.equal(normaliseStatus(word), undefined, JSON.stringify(word));
  }
  for (const value of [undefined, null, 0, 1, true, {}, [], ['pending'], { status: 'pending' }]) {
    assert.equal(normaliseStatus(value), undefined, JSON.stringify(value));
  }
});

test('normaliseVerification maps the seed words in any case ("Not performed" …)', () => {
  for (const verification of VERIFICATIONS) assert.equal(normaliseVerification(verification), verification);
  for (const [seed, verification] of SEED_VERIFICATIONS) {
    assert.equal(normaliseVerification(seed), verification);
    assert.equal(normaliseVerification(seed.toUpperCase()), verification);
  }
  assert.equal(normaliseVerification('not-performed'), 'not_performed');
  for (const value of ['', 'pass', 'SUCCESS', 'completed', null, undefined, 1, {}]) {
    assert.equal(normaliseVerification(value), undefined, JSON.stringify(value));
  }
});

test('normaliseDocumentType maps the contract words and the 1Kosmos wire values', () => {
  for (const type of DOCUMENT_TYPES) {
    assert.equal(normaliseDocumentType(type), type);
    assert.equal(normaliseDocumentType(wireDocumentType(type)), type);
  }
  assert.equal(normaliseDocumentType('ppt_object'), 'passport');
  assert.equal(normaliseDocumentType('dl_object'), 'driving_license');
  assert.equal(normaliseDocumentType('idcard_object'), 'id_card');
  assert.equal(normaliseDocumentType('PASSPORT'), 'passport');
  assert.equal(normaliseDocumentType('Driving License'), 'driving_license');
  assert.equal(normaliseDocumentType('ID Card'), 'id_card');
  for (const value of ['', 'ppt', 'RESIDENCE_PERMIT', 'object', 'visa', null, undefined, 3]) {
    assert.equal(normaliseDocumentType(value), undefined, JSON.stringify(value));
  }
});

test('wireDocumentType gives 1Kosmos its own values', () => {
  assert.deepEqual(
    DOCUMENT_TYPES.map((type) => wireDocumentType(type)),
    ['ppt_object', 'dl_object', 'idcard_object'],
  );
});

test('property: any casing and spacing variant of a seed or contract status word maps to its status', () => {
  const words = [...SEED_STATUSES, ...SESSION_STATUSES.map((s) => [s, s] as const)];
  fc.assert(
    fc.property(
      fc.constantFrom(...words).chain(([word, status]) => variantOf(word).map((variant) => [variant, status] as const)),
      ([variant, status]) => normaliseStatus(variant) === status,
    ),
  );
});

test('property: any casing and spacing variant of a verification word maps to it', () => {
  fc.assert(
    fc.property(
      fc
        .constantFrom(...SEED_VERIFICATIONS)
        .chain(([word, verification]) => variantOf(word).map((variant) => [variant, verification] as const)),
      ([variant, verification]) => normaliseVerification(variant) === verification,
    ),
  );
});

test('property: any string gives a contract status or undefined, never anything else', () => {
  const valid = new Set<unknown>([...SESSION_STATUSES, undefined]);
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.anything()), (value) => {
      const status = normaliseStatus(value);
      if (!valid.has(status)) return false;
      // Defined only for a word that is one of the five once case and separators are dropped.
      return (
        status === undefined ||
        (typeof value === 'string' && value.toLowerCase().replace(/[\s_-]/g, '') === status.replace('_', ''))
      );
    }),
  );
});
