/**
 * Keeps the current session in `sessionStorage` so a reload or a redirect back resumes it
 * instead of creating another. Storage that is unavailable (private mode, sandboxed frames)
 * or holds something unreadable just means there is nothing to resume.
 */
import { parseSession } from '../api/parse.js';
import type { Session } from '../contract/bodies.js';

const PREFIX = 'kosmos-idv-launcher:';

export class SessionStore {
  readonly #key: string;

  constructor(key: string) {
    this.#key = key;
  }

  static for(scope: string): SessionStore {
    return new SessionStore(PREFIX + scope);
  }

  load(): Session | undefined {
    try {
      const saved = sessionStorage.getItem(this.#key);
      return saved ? parseSession(JSON.parse(saved)) : undefined;
    } catch {
      this.clear();
      return undefined;
    }
  }

  save(session: Session): void {
    try {
      sessionStorage.setItem(this.#key, JSON.stringify(session));
    } catch {
      // Without storage the session still works; it just cannot be resumed after a reload.
    }
  }

  clear(): void {
    try {
      sessionStorage.removeItem(this.#key);
    } catch {
      // Nothing stored, nothing to clear.
    }
  }
}
