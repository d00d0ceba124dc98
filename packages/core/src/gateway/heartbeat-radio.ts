/**
 * What a phone's radio reports in a heartbeat (battery, signal, network), checked:
 * each field is optional, and a value out of range is a validation error.
 */

import type { HeartbeatRecord } from '../domain/records.js';
import type { RadioFieldsInput } from '../phone-api.js';
import type { Checker } from './validate.js';

export type { RadioFieldsInput } from '../phone-api.js';

export type RadioFields = Pick<
  HeartbeatRecord,
  'batteryLevel' | 'signalDbm' | 'networkRegistration' | 'networkOperator'
>;

export const NETWORK_REGISTRATIONS: readonly string[] = Object.freeze([
  'home',
  'roaming',
  'searching',
  'denied',
  'unregistered',
  'unknown',
]);

function registrationField(check: Checker, value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (!NETWORK_REGISTRATIONS.includes(value)) {
    check.add(
      'network_registration',
      `The network_registration field must be one of ${NETWORK_REGISTRATIONS.join(', ')}`,
    );
    return null;
  }
  return value;
}

function operatorField(check: Checker, value: string | null | undefined): string | null {
  if (value === undefined || value === null || value.trim() === '') return null;
  if (value.length > 64) {
    check.add('network_operator', 'The network_operator field must be at most 64 characters');
    return null;
  }
  return value.trim();
}

function radioField(
  check: Checker,
  field: string,
  value: number | null | undefined,
  min: number,
  max: number,
): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || value < min || value > max) {
    check.add(field, `The ${field} field must be an integer from ${min} to ${max}`);
    return null;
  }
  return value;
}

/** The radio fields of a heartbeat, null where not given; problems go to `check`. */
export function checkRadioFields(check: Checker, input: RadioFieldsInput): RadioFields {
  return {
    batteryLevel: radioField(check, 'battery_level', input.batteryLevel, 0, 100),
    signalDbm: radioField(check, 'signal_dbm', input.signalDbm, -150, 0),
    networkRegistration: registrationField(check, input.networkRegistration),
    networkOperator: operatorField(check, input.networkOperator),
  };
}
