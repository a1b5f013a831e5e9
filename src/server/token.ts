/**
 * Status tokens: HS256 JWTs (via `jose`) that let one caller read one session's status. They
 * carry everything a status read needs, so no server-side store is needed and any number of
 * instances sharing the secret can serve the same session. A browser sends its session's token
 * with every status read, so tokens verified once are remembered: a read costs no second HMAC.
 */
import { errors, jwtVerify, SignJWT } from 'jose';

export interface TokenClaims {
  sessionId: string;
  /** What `authenticate` returned at creation, or `null`. */
  subject: string | null;
  dvcID: string;
  /** Epoch seconds; also the session's expiry. */
  expiresAt: number;
}

/** A token that is forged, tampered with, malformed or not a status token. */
export class TokenError extends Error {
  override readonly name = 'TokenError';
  constructor() {
    super('The status token is not valid.');
  }
}

const AUDIENCE = 'kosmos-idv-status';
/** How many verified tokens are remembered (about 0.5 KB each); the oldest is forgotten first. */
const REMEMBERED = 10_000;

export class StatusTokens {
  /** Imported once: `jose` would import a raw secret again on every sign and verify. */
  private readonly key: Promise<CryptoKey>;
  /** Tokens that verified, by their exact text, with their claims. */
  private readonly verified = new Map<string, TokenClaims>();

  constructor(secret: string) {
    this.key = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
  }

  async issue(claims: TokenClaims): Promise<string> {
    return new SignJWT({ dvc: claims.dvcID, ...(claims.subject === null ? {} : { sub: claims.subject }) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setJti(claims.sessionId)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(claims.expiresAt)
      .sign(await this.key);
  }

  /**
   * The claims of a token, checked against its signature and audience. A token past its expiry
   * still yields its claims: the browser must still learn from the ledger that the session expired.
   */
  async verify(token: string): Promise<TokenClaims> {
    let claims = this.verified.get(token);
    if (!claims) {
      claims = await this.check(token);
      this.verified.set(token, claims);
      if (this.verified.size > REMEMBERED) this.verified.delete(this.verified.keys().next().value as string);
    }
    return claims;
  }

  /** The claims of a token whose signature, algorithm and audience check out. */
  private async check(token: string): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        algorithms: ['HS256'],
        audience: AUDIENCE,
        // A session past its expiry is still read: the ledger answers "expired".
        currentDate: new Date(0),
      });
      if (typeof payload.jti !== 'string' || typeof payload.dvc !== 'string' || typeof payload.exp !== 'number') {
        throw new TokenError();
      }
      return {
        sessionId: payload.jti,
        subject: typeof payload.sub === 'string' ? payload.sub : null,
        dvcID: payload.dvc,
        expiresAt: payload.exp,
      };
    } catch (error) {
      if (error instanceof TokenError) throw error;
      if (error instanceof errors.JOSEError) throw new TokenError();
      throw error;
    }
  }
}

/** A session-creation ticket that is missing, forged, expired or without a subject. */
export class TicketError extends Error {
  override readonly name = 'TicketError';
}

/**
 * Tickets: short-lived HS256 JWTs (`sub`, `exp`) that the page owner's backend mints for its user,
 * so that a kit which cannot run the page owner's code knows who creates a session.
 */
export class Tickets {
  private readonly key: Promise<CryptoKey>;

  constructor(secret: string) {
    this.key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  }

  /** The ticket's subject; throws `TicketError` for anything but a valid, unexpired ticket. */
  async subjectOf(ticket: string | null): Promise<string> {
    if (!ticket) throw new TicketError('Send a ticket from your backend as Kosmos-Idv-Ticket.');
    try {
      const { payload } = await jwtVerify(ticket, await this.key, { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'] });
      if (typeof payload.sub !== 'string' || payload.sub === '') throw new TicketError('The ticket names no subject.');
      return payload.sub;
    } catch (error) {
      if (error instanceof TicketError) throw error;
      if (error instanceof errors.JOSEError) throw new TicketError('The ticket is not valid (forged, expired or malformed).');
      throw error;
    }
  }
}
