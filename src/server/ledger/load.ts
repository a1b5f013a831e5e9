/**
 * Loads an optional peer dependency on first use, so that a page that installs only the element
 * never downloads a database. A missing one is an `IdvConfigError` naming the `npm i` to run.
 */
import { IdvConfigError } from '../config.js';

export async function loadPeer<T>(name: string, load: () => Promise<T>, purpose: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new IdvConfigError([`${purpose} needs the package ${name}: run \`npm i ${name}\``]);
    }
    throw error;
  }
}
