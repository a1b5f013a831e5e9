/** HTTP rules both halves apply the same way. */

/** `Retry-After` in ms: delay-seconds or an HTTP date; `undefined` when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (header.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$|\.localhost$/;

/** Whether a URL host name is this machine's (`localhost`, `*.localhost`, `127.x.x.x`, `[::1]`): plain http is safe there. */
export const isLoopbackHost = (hostname: string): boolean => LOOPBACK.test(hostname);
