/**
 * The IDV reason codes a tester can pick for a failed check. Only the codes 1Kosmos's own examples
 * show are offered (IDV0006 and IDV0010), with their published wording.
 */
export interface ReasonCode {
  message: string;
  reason: string;
}

export const REASON_CODES: Readonly<Record<string, ReasonCode>> = {
  IDV0006: {
    message: 'Unsupported document scanned. Verification could not be done.',
    reason: 'Unsupported document was presented',
  },
  IDV0010: {
    message: "Module 'firstname check' failed",
    reason: "Module 'firstname check' failed",
  },
};

/** The reason code used when a check fails and none was chosen. */
export const DEFAULT_REASON_CODE = 'IDV0010';

export const isReasonCode = (code: unknown): code is string =>
  typeof code === 'string' && Object.hasOwn(REASON_CODES, code);
