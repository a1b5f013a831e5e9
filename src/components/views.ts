/**
 * The rarer modes' views, loaded the first time those modes show a flow, so that pages using the
 * other modes never download them (nor the QR code generator).
 */
import { IdvError } from '../api/errors.js';

export type LazyMode = 'qr' | 'embedded';

export type View =
  | { mode: 'qr'; module: typeof import('./qr.js') }
  | { mode: 'embedded'; module: typeof import('./embedded.js') };

/** A view that cannot load is a retryable `network_error`: loading it again may work. */
export async function loadView(mode: LazyMode): Promise<View> {
  try {
    return mode === 'qr' ? { mode, module: await import('./qr.js') } : { mode, module: await import('./embedded.js') };
  } catch (cause) {
    throw new IdvError('network_error', `The ${mode} view did not load.`, { cause });
  }
}
