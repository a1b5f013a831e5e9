/**
 * Sessions and their state machine, following the seed:
 * Pending (created) → In Progress (consent + "Let's get started") → Completed (document, and the
 * selfie when the workflow asks for one); Pending → Declined (the Decline button); Pending or
 * In Progress → Expired once the session lifetime has passed on the simulator clock.
 */
import { randomUUID } from 'node:crypto';
import type { SimulatorClock } from './clock.js';
import type { SimulatorConfig } from './config.js';
import { SessionStepError } from './errors.js';
import { DEFAULT_REASON_CODE, isReasonCode } from './reasons.js';
import { deletePii, retentionOf, retentionOver } from './retention.js';

export const WIRE_DOCUMENT_TYPES = ['ppt_object', 'dl_object', 'idcard_object'] as const;
export type WireDocumentType = (typeof WIRE_DOCUMENT_TYPES)[number];

/** The seed's session statuses, in its own words. */
export type SeedStatus = 'Pending' | 'In Progress' | 'Completed' | 'Expired' | 'Declined';
/** The seed's verification statuses, in its own words. */
export type SeedVerification = 'Passed' | 'Failed' | 'Not performed';
/** Where the hosted flow of a live session is. */
export type HostedStep = 'welcome' | 'document' | 'selfie' | 'finished';
export type DocumentOutcome = 'pass' | 'fail' | 'not_performed';
export type SelfieOutcome = 'pass' | 'fail';

/** The optional user of the create request (PII: deleted with the rest of it). */
export interface SessionUser {
  username?: string;
  firstname?: string;
  lastname?: string;
  uid?: string | number;
}

/** One session as the simulator keeps it. Times are simulator-clock milliseconds. */
export interface SessionRecord {
  readonly id: string;
  readonly dvcID: string;
  readonly documentType: WireDocumentType;
  readonly selfie: boolean;
  user: SessionUser | undefined;
  readonly createdAt: number;
  readonly expiresAt: number;
  status: SeedStatus;
  step: HostedStep;
  verification: SeedVerification | null;
  reasonCode: string | undefined;
  /** The check whose failure decided the verification. */
  failedCheck: 'document' | 'selfie' | undefined;
  completedAt: number | undefined;
  /** Whether the session's PII still exists (the retention rules delete it). */
  piiRetained: boolean;
  /** How many result answers carried PII. */
  piiReturned: number;
  /** How many result calls (v1 and v3) were answered. */
  resultCalls: number;
}

/** A JSON snapshot of a session (control endpoint and `SimulatedSession.view()`). */
export interface SessionView {
  id: string;
  dvcID: string;
  documentType: WireDocumentType;
  selfie: boolean;
  status: SeedStatus;
  /** `null` until the session is completed. */
  verification: SeedVerification | null;
  step: HostedStep;
  reasonCode: string | null;
  createdAt: number;
  expiresAt: number;
  completedAt: number | null;
  resultCalls: number;
  piiRetained: boolean;
  piiReturned: number;
}

/** What a create request asks for (already validated). */
export interface NewSession {
  dvcID: string;
  documentType: WireDocumentType;
  user: SessionUser;
}

/** Calls per dvcID. */
export interface SimulatorStats {
  createCalls: Record<string, number>;
  resultCalls: Record<string, number>;
}

const LIVE: ReadonlySet<SeedStatus> = new Set(['Pending', 'In Progress']);

/** All sessions, in memory, at most `maxSessions` of them (the oldest are pruned first). */
export class SessionStore {
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly creates = new Map<string, number>();
  private readonly results = new Map<string, number>();

  constructor(
    private readonly config: SimulatorConfig,
    private readonly clock: SimulatorClock,
  ) {}

  create(request: NewSession): SessionRecord {
    const now = this.clock.now();
    const record: SessionRecord = {
      id: randomUUID(),
      dvcID: request.dvcID,
      documentType: request.documentType,
      selfie: this.config.dvcIDs[request.dvcID]?.selfie ?? false,
      user: request.user,
      createdAt: now,
      expiresAt: now + this.config.sessionLifetime * 1000,
      status: 'Pending',
      step: 'welcome',
      verification: null,
      reasonCode: undefined,
      failedCheck: undefined,
      completedAt: undefined,
      piiRetained: true,
      piiReturned: 0,
      resultCalls: 0,
    };
    this.sessions.set(record.id, record);
    this.creates.set(request.dvcID, (this.creates.get(request.dvcID) ?? 0) + 1);
    while (this.sessions.size > this.config.maxSessions) {
      this.sessions.delete(this.sessions.keys().next().value as string);
    }
    return record;
  }

  /** The session, with its expiry applied; `undefined` if unknown or pruned. */
  get(id: string): SessionRecord | undefined {
    const record = this.sessions.get(id);
    if (record) this.refresh(record);
    return record;
  }

  /** Counts an answered result call. */
  countResult(record: SessionRecord): void {
    record.resultCalls++;
    this.results.set(record.dvcID, (this.results.get(record.dvcID) ?? 0) + 1);
  }

  stats(): SimulatorStats {
    return {
      createCalls: Object.fromEntries(this.creates),
      resultCalls: Object.fromEntries(this.results),
    };
  }

  /** Consent given and "Let's get started" pressed. */
  start(record: SessionRecord): void {
    this.expect(record, 'Pending', 'start');
    record.status = 'In Progress';
    record.step = 'document';
  }

  /** "Decline" pressed on the welcome screen. */
  decline(record: SessionRecord): void {
    this.expect(record, 'Pending', 'decline');
    record.status = 'Declined';
  }

  /** The document step submitted with the tester's outcome. */
  submitDocument(record: SessionRecord, outcome: DocumentOutcome, reasonCode?: string): void {
    this.expectStep(record, 'document');
    if (outcome === 'fail') this.fail(record, 'document', checkedReason(reasonCode));
    if (outcome === 'not_performed') record.verification = 'Not performed';
    if (record.selfie) record.step = 'selfie';
    else this.complete(record);
  }

  /** The selfie step submitted with the tester's outcome. */
  submitSelfie(record: SessionRecord, outcome: SelfieOutcome, reasonCode?: string): void {
    this.expectStep(record, 'selfie');
    if (outcome === 'fail') {
      const code = checkedReason(reasonCode);
      if (record.verification === null) this.fail(record, 'selfie', code);
    }
    this.complete(record);
  }

  private fail(record: SessionRecord, check: 'document' | 'selfie', reasonCode: string) {
    record.verification = 'Failed';
    record.reasonCode = reasonCode;
    record.failedCheck = check;
  }

  private complete(record: SessionRecord) {
    record.status = 'Completed';
    record.step = 'finished';
    record.verification ??= 'Passed';
    record.completedAt = this.clock.now();
    if (retentionOf(this.config, record).off) deletePii(record);
  }

  /**
   * Applies the clock: a Pending or In Progress session past `expiresAt` is Expired, and PII past
   * its retention window is deleted (whether or not anyone asks for the result again).
   */
  refresh(record: SessionRecord): SessionRecord {
    const now = this.clock.now();
    if (LIVE.has(record.status) && now >= record.expiresAt) record.status = 'Expired';
    if (record.piiRetained && retentionOver(record, retentionOf(this.config, record), now)) deletePii(record);
    return record;
  }

  private expect(record: SessionRecord, status: SeedStatus, action: string) {
    this.refresh(record);
    if (record.status !== status) {
      throw new SessionStepError(`session is ${record.status}; "${action}" needs it to be ${status}`);
    }
  }

  private expectStep(record: SessionRecord, step: 'document' | 'selfie') {
    this.expect(record, 'In Progress', step);
    if (record.step !== step) {
      throw new SessionStepError(
        step === 'selfie' && !record.selfie
          ? `workflow "${record.dvcID}" has no selfie step`
          : `session is at the ${record.step} step, not the ${step} step`,
      );
    }
  }
}

/** The reason code of a failed check: the one chosen (which must be known) or the default. */
function checkedReason(reasonCode: string | undefined): string {
  const code = reasonCode ?? DEFAULT_REASON_CODE;
  if (!isReasonCode(code)) throw new SessionStepError(`unknown reason code "${code}"`);
  return code;
}

/** A JSON snapshot of a session. */
export const viewOf = (record: SessionRecord): SessionView => ({
  id: record.id,
  dvcID: record.dvcID,
  documentType: record.documentType,
  selfie: record.selfie,
  status: record.status,
  verification: record.status === 'Completed' ? record.verification : null,
  step: record.step,
  reasonCode: record.status === 'Completed' ? (record.reasonCode ?? null) : null,
  createdAt: record.createdAt,
  expiresAt: record.expiresAt,
  completedAt: record.completedAt ?? null,
  resultCalls: record.resultCalls,
  piiRetained: record.piiRetained,
  piiReturned: record.piiReturned,
});

/**
 * One session, driven without HTTP: the same transitions as the hosted pages' buttons. Each step
 * throws {@link SessionStepError} when the session's state does not allow it.
 */
export class SimulatedSession {
  constructor(
    private readonly store: SessionStore,
    private readonly record: SessionRecord,
  ) {}

  get id(): string {
    return this.record.id;
  }
  get status(): SeedStatus {
    return this.store.refresh(this.record).status;
  }
  /** `null` until the session is completed. */
  get verification(): SeedVerification | null {
    return this.view().verification;
  }
  get step(): HostedStep {
    return this.record.step;
  }

  /** A JSON snapshot (status, verification, step, times, result-call and PII counts). */
  view(): SessionView {
    return viewOf(this.store.refresh(this.record));
  }

  /** Consent ticked and "Let's get started" pressed. */
  start(): void {
    this.store.start(this.record);
  }

  /** "Decline" pressed on the welcome screen. */
  decline(): void {
    this.store.decline(this.record);
  }

  /** The document step submitted; a failure uses `reasonCode` (default IDV0010). */
  document(outcome: DocumentOutcome = 'pass', reasonCode?: string): void {
    this.store.submitDocument(this.record, outcome, reasonCode);
  }

  /** The selfie step submitted (selfie workflows only). */
  selfie(outcome: SelfieOutcome = 'pass', reasonCode?: string): void {
    this.store.submitSelfie(this.record, outcome, reasonCode);
  }
}
