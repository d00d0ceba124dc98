import { describe, expect, it } from 'vitest';
import {
  classifyFailure,
  DEFAULT_FAILURE_REASONS,
  type FailureTable,
} from '../../src/lifecycle/failure-reasons.js';

const TABLE: FailureTable = { reasons: DEFAULT_FAILURE_REASONS, unknown: 'permanent' };

describe('classifyFailure', () => {
  it.each([
    // The httpSMS app: SmsManager result names without their prefix.
    ['RADIO_OFF', 'transient', 'RADIO_OFF'],
    ['NO_SERVICE', 'transient', 'NO_SERVICE'],
    ['LIMIT_EXCEEDED', 'transient', 'LIMIT_EXCEEDED'],
    ['GENERIC_FAILURE', 'transient', 'GENERIC_FAILURE'],
    ['NULL_PDU', 'permanent', 'NULL_PDU'],
    ['CANNOT BE DELIVERED', 'permanent', 'CANNOT_BE_DELIVERED'],
    // SMSGate and raw Android constants.
    ['Send result: RESULT_ERROR_NO_SERVICE (code 4)', 'transient', 'NO_SERVICE'],
    ['RESULT_ERROR_RADIO_OFF', 'transient', 'RADIO_OFF'],
    ['RESULT_RIL_NETWORK_ERR', 'transient', 'NETWORK_ERR'],
    ['RESULT_INVALID_SMSC_ADDRESS', 'permanent', 'INVALID_SMSC_ADDRESS'],
    ['invalid_number', 'permanent', 'INVALID_NUMBER'],
    // The longest name decides: NETWORK_REJECT is not a NETWORK_ERR.
    ['RESULT_RIL_NETWORK_REJECT', 'permanent', 'NETWORK_REJECT'],
  ] as const)('%s is %s (%s)', (reason, kind, code) => {
    expect(classifyFailure(reason, TABLE)).toEqual({ class: kind, code });
  });

  it('gives an unknown reason the configured class, and needs whole words', () => {
    for (const reason of ['UNKNOWN:5', 'Outgoing messages have been disabled', '', null]) {
      expect(classifyFailure(reason, TABLE)).toEqual({ class: 'permanent', code: null });
    }
    expect(classifyFailure('XRADIO_OFF', TABLE).code).toBeNull();
    expect(classifyFailure('UNKNOWN:5', { ...TABLE, unknown: 'transient' }).class).toBe(
      'transient',
    );
  });

  it('follows a table with entries of its own', () => {
    const table: FailureTable = {
      reasons: {
        ...DEFAULT_FAILURE_REASONS,
        GENERIC_FAILURE: 'permanent',
        'unknown:5': 'transient',
      },
      unknown: 'permanent',
    };
    expect(classifyFailure('GENERIC_FAILURE', table).class).toBe('permanent');
    expect(classifyFailure('UNKNOWN:5', table)).toEqual({ class: 'transient', code: 'UNKNOWN:5' });
  });
});
