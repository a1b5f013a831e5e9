/**
 * The QR code of the hosted-flow URL, as one SVG path. Loaded lazily (only `mode="qr"` imports
 * it), so the generator costs nothing in other modes.
 */
import { encode } from 'uqr';

export interface QrCode {
  /** Width and height in modules, border included. */
  size: number;
  /** SVG path data: one unit square per dark module. */
  path: string;
}

export function qrCode(text: string): QrCode {
  const { data, size } = encode(text, { ecc: 'M', border: 2 });
  let path = '';
  data.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    }),
  );
  return { size, path };
}
