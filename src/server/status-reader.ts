/**
 * Status reads for the contract's `GET {base}/{sessionId}`: one upstream call per session at a
 * time however many callers ask, final statuses remembered so they cost 1Kosmos nothing, an
 * expired session answered without asking 1Kosmos, and the result handed off on the way (the
 * first one with PII, or the first final one: with PII retention off there is never any). The
 * answer is built from `status` and `verification` only, so no PII can reach it.
 */
import { TERMINAL_STATUSES, type SessionStatus, type StatusReport, type Verification } from '../api/types.js';
import { KosmosApiError } from './errors.js';
import type { ResultHandoff } from './handoff.js';
import type { KosmosClient } from './kosmos-client.js';
import type { TokenClaims } from './token.js';

/** How many sessions' last statuses are remembered. */
const REMEMBERED = 50_000;

export class StatusReader {
  private readonly inFlight = new Map<string, Promise<StatusReport>>();
  /** Each session's last report and when it was read (epoch ms). */
  private readonly known = new Map<string, { report: StatusReport; at: number }>();

  constructor(
    private readonly client: Pick<KosmosClient, 'getResult'>,
    private readonly handoff: ResultHandoff,
  ) {}

  /** The session's status; one read less than `maxAge` ms ago is answered again without asking 1Kosmos. */
  read(claims: TokenClaims & { expired: boolean }, maxAge = 0): Promise<StatusReport> {
    const { sessionId } = claims;
    const known = this.known.get(sessionId);
    if (known && (TERMINAL_STATUSES.has(known.report.status) || Date.now() - known.at < maxAge)) {
      return Promise.resolve(known.report);
    }
    if (claims.expired) return Promise.resolve(this.remember(sessionId, 'expired', null));
    let read = this.inFlight.get(sessionId);
    if (!read) {
      read = this.fetch(claims).finally(() => this.inFlight.delete(sessionId));
      this.inFlight.set(sessionId, read);
    }
    return read;
  }

  private async fetch({ sessionId, dvcID, subject }: TokenClaims): Promise<StatusReport> {
    const result = await this.client.getResult({ dvcID, sessionId });
    if (result.sessionId !== sessionId) {
      throw new KosmosApiError('bad_response', `1Kosmos answered about another session than ${sessionId}`);
    }
    if (result.hasPII || TERMINAL_STATUSES.has(result.status)) {
      await this.handoff.deliver(result, { sessionId, subject, dvcID });
    }
    return this.remember(sessionId, result.status, result.verification);
  }

  /** The report for a status, keeping `updatedAt` from when this process first saw it. */
  private remember(sessionId: string, status: SessionStatus, verification: Verification | null): StatusReport {
    const known = this.known.get(sessionId)?.report;
    const report =
      known?.status === status && known.verification === verification
        ? known
        : { sessionId, status, verification, updatedAt: new Date().toISOString() };
    this.known.delete(sessionId);
    this.known.set(sessionId, { report, at: Date.now() });
    if (this.known.size > REMEMBERED) this.known.delete(this.known.keys().next().value as string);
    return report;
  }
}
