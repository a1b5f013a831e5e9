/**
 * Every translation in `src/locales` has every key of the element's texts, no other key, and no
 * empty text: a key added to `IdvStrings` fails here until each language has it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { defaultStrings } from '../../src/components/strings.js';

const LOCALES = new URL('../../src/locales/', import.meta.url);
const languages = readdirSync(LOCALES).map((file) => file.replace(/\.ts$/, ''));
const keys = Object.keys(defaultStrings).sort();

test('the issue\'s languages are all there', () => {
  assert.deepEqual(languages.sort(), ['de', 'es', 'fr', 'it', 'nl', 'pt-BR']);
});

for (const language of languages) {
  test(`locales/${language} has every key of defaultStrings, and only those, each a text`, async () => {
    const { default: strings } = (await import(new URL(`${language}.ts`, LOCALES).href)) as { default: Record<string, unknown> };
    assert.deepEqual(Object.keys(strings).sort(), keys);
    for (const key of keys) assert.ok(typeof strings[key] === 'string' && strings[key].trim() !== '', `${language}.${key} is empty`);
  });
}
