/**
 * What the device routes may use of the transport: its options and store, the
 * running host, device authentication and the event streams. Presence is recorded
 * once a device's request has succeeded (`callerOf`), so a refused request writes
 * nothing.
 */
import type { IncomingMessage } from 'node:http';
import { isGatewayError } from '@textport/core';
import type { TransportHost } from '@textport/core/transport';
import { authorization, SmsGateHttpError, unauthorized } from '../http/io.js';
import type { ResolvedOptions } from '../options.js';
import type { StreamRegistry } from '../sse/registry.js';
import type { SmsGateStore } from '../store/types.js';
import type { AccountQueue } from './account-queue.js';
import type { AuthedDevice, DeviceAuth } from './auth.js';
import type { Presence } from './presence.js';

export interface MobileContext {
  readonly options: ResolvedOptions;
  readonly store: SmsGateStore;
  /** The host of the running transport (503 when stopped). */
  host(): TransportHost;
  readonly auth: DeviceAuth;
  readonly presence: Presence;
  readonly streams: StreamRegistry;
  /** The pull left messages behind: nudge the device again after its next report. */
  readonly backlog: Set<string>;
  /** Registrations of an account, one at a time (the device count and its insert). */
  readonly registrations: AccountQueue;
}

const callers = new WeakMap<IncomingMessage, AuthedDevice>();

/** The device a request was authenticated as, once a route has asked (for presence). */
export function callerOf(req: IncomingMessage): AuthedDevice | undefined {
  return callers.get(req);
}

/** The device of a `Bearer <device token>` request; null when there is none or it is unknown. */
export async function deviceOf(
  mc: MobileContext,
  req: IncomingMessage,
): Promise<AuthedDevice | null> {
  const auth = authorization(req);
  if (auth?.scheme !== 'bearer') return null;
  const authed = await mc.auth.fromToken(auth.value.trim());
  if (authed) callers.set(req, authed);
  return authed;
}

/** Like `deviceOf`, but 401 (the app then registers again) when there is no valid device token. */
export async function requireDevice(
  mc: MobileContext,
  req: IncomingMessage,
): Promise<AuthedDevice> {
  const authed = await deviceOf(mc, req);
  if (!authed)
    throw unauthorized('a valid device token is required (Authorization: Bearer <token>)');
  return authed;
}

const STATUS_OF: Record<string, number> = {
  validation: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_transition: 409,
  idempotency_conflict: 409,
  payload_too_large: 413,
};

/** A core `GatewayError` in SMSGate's shape (`{"message"}` with its status); anything else as is. */
export function toHttpError(error: unknown): unknown {
  if (!isGatewayError(error)) return error;
  const status = STATUS_OF[error.code];
  if (status === undefined) return error;
  const fields = error.fields
    ? Object.entries(error.fields)
        .map(([field, problems]) => `${field}: ${problems.join(', ')}`)
        .join('; ')
    : '';
  return new SmsGateHttpError(status, fields ? `${error.message}: ${fields}` : error.message);
}
