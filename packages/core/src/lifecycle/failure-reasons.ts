/**
 * Which failures a phone reports are worth another attempt. A phone says why a
 * send failed in free text: the httpSMS app sends Android's `SmsManager` result
 * names without their prefix (`RADIO_OFF`, `NO_SERVICE`, `GENERIC_FAILURE`,
 * `UNKNOWN:<code>`), SMSGate sends `Send result: RESULT_ERROR_NO_SERVICE (…)`.
 * A reason is classified by the longest name of the table it contains as a word
 * (a `_`, a space or punctuation around it), compared in upper case with spaces
 * as `_`; a reason that names none is `unknown`'s class.
 *
 * Transient failures (the radio was off, no network, the phone's own rate limit)
 * are tried again with backoff while the message has attempts left; permanent ones
 * (a number the network refuses, a message that cannot be encoded) are final.
 */

export type FailureClass = 'transient' | 'permanent';

/** The default table (see docs/routing.md). */
export const DEFAULT_FAILURE_REASONS: Readonly<Record<string, FailureClass>> = Object.freeze({
  // The radio or the network is not there right now.
  RADIO_OFF: 'transient',
  NO_SERVICE: 'transient',
  RADIO_NOT_AVAILABLE: 'transient',
  NETWORK_NOT_READY: 'transient',
  NETWORK_ERROR: 'transient',
  NETWORK_ERR: 'transient',
  SMS_BLOCKED_DURING_EMERGENCY: 'transient',
  // The phone or its modem is busy or out of resources.
  LIMIT_EXCEEDED: 'transient',
  REQUEST_RATE_LIMITED: 'transient',
  SMS_SEND_FAIL_RETRY: 'transient',
  GENERIC_FAILURE: 'transient',
  MODEM_ERROR: 'transient',
  MODEM_ERR: 'transient',
  NO_MEMORY: 'transient',
  NO_RESOURCES: 'transient',
  INTERNAL_ERROR: 'transient',
  INTERNAL_ERR: 'transient',
  SYSTEM_ERROR: 'transient',
  SYSTEM_ERR: 'transient',
  // The destination or the message itself is wrong: trying again cannot help.
  INVALID_NUMBER: 'permanent',
  INVALID_DESTINATION: 'permanent',
  INVALID_SMSC_ADDRESS: 'permanent',
  INVALID_ARGUMENTS: 'permanent',
  INVALID_SMS_FORMAT: 'permanent',
  INVALID_STATE: 'permanent',
  NULL_PDU: 'permanent',
  ENCODING_ERROR: 'permanent',
  ENCODING_ERR: 'permanent',
  NETWORK_REJECT: 'permanent',
  OPERATION_NOT_ALLOWED: 'permanent',
  REQUEST_NOT_SUPPORTED: 'permanent',
  SHORT_CODE_NOT_ALLOWED: 'permanent',
  SHORT_CODE_NEVER_ALLOWED: 'permanent',
  FDN_CHECK_FAILURE: 'permanent',
  SIM_ABSENT: 'permanent',
  CANNOT_BE_DELIVERED: 'permanent',
  OPTED_OUT: 'permanent',
});

export interface FailureTable {
  /** Reason names and their class; merged over `DEFAULT_FAILURE_REASONS` by the config. */
  reasons: Readonly<Record<string, FailureClass>>;
  /** The class of a reason that names nothing in `reasons`. */
  unknown: FailureClass;
}

export interface FailureClassification {
  class: FailureClass;
  /** The table entry that decided, or null for an unknown reason. */
  code: string | null;
}

/** Upper case, runs of white space as `_`: how reasons and table names are compared. */
export function normalizeReason(text: string): string {
  return text.trim().toUpperCase().replace(/\s+/g, '_');
}

function containsWord(reason: string, name: string): boolean {
  let from = 0;
  for (;;) {
    const at = reason.indexOf(name, from);
    if (at < 0) return false;
    const before = at === 0 ? '' : (reason[at - 1] ?? '');
    const after = reason[at + name.length] ?? '';
    if (!/[A-Z0-9]/.test(before) && !/[A-Z0-9]/.test(after)) return true;
    from = at + 1;
  }
}

/** The class of a phone's failure reason under `table` (the longest matching name decides). */
export function classifyFailure(
  reason: string | null | undefined,
  table: FailureTable,
): FailureClassification {
  const text = normalizeReason(reason ?? '');
  let best: FailureClassification | null = null;
  for (const [name, kind] of Object.entries(table.reasons)) {
    const code = normalizeReason(name);
    if (code === '' || !containsWord(text, code)) continue;
    if (best === null || code.length > (best.code?.length ?? 0)) best = { class: kind, code };
  }
  return best ?? { class: table.unknown, code: null };
}
