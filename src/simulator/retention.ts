/**
 * The seed's PII-retention rules, applied to result calls:
 * - `off`: PII is deleted at completion and never returned;
 * - ttl −1: returned on the first result call after completion, then deleted;
 * - ttl 0: returned for 7 days after completion, then deleted;
 * - ttl > 0: returned for that many seconds after completion, then deleted.
 */
import { SEVEN_DAYS_SECONDS, type PiiRetention, type SimulatorConfig } from './config.js';
import type { SessionRecord, SessionUser } from './state.js';

/** The PII a result call may carry: the create request's user (the document PII is derived). */
export interface PiiGrant {
  user: SessionUser;
}

/** The retention rules of a session's workflow: its own where it has them, else the simulator's. */
export function retentionOf(config: SimulatorConfig, record: SessionRecord): PiiRetention {
  return { ...config.piiRetention, ...config.dvcIDs[record.dvcID]?.piiRetention };
}

/** Deletes a session's PII for good (the user of the create request included). */
export function deletePii(record: SessionRecord): void {
  record.piiRetained = false;
  record.user = undefined;
}

/** Whether the session's PII has outlived its window (by the simulator clock `now`); ttl −1 has none. */
export function retentionOver(record: SessionRecord, rules: PiiRetention, now: number): boolean {
  if (record.completedAt === undefined || rules.ttl === -1) return false;
  return now - record.completedAt >= (rules.ttl === 0 ? SEVEN_DAYS_SECONDS : rules.ttl) * 1000;
}

/**
 * The PII this result call may carry (by the simulator clock `now`), or `undefined`; deletes the
 * PII when the rules say this is its last use or its time is up.
 */
export function takePii(record: SessionRecord, rules: PiiRetention, now: number): PiiGrant | undefined {
  if (record.status !== 'Completed' || record.completedAt === undefined || !record.piiRetained) {
    return undefined;
  }
  const allowed = !rules.off && !retentionOver(record, rules, now);
  const grant = { user: record.user ?? {} };
  if (!allowed || rules.ttl === -1) deletePii(record);
  if (!allowed) return undefined;
  record.piiReturned++;
  return grant;
}
