/**
 * Which phone records a socket serves, looked up through the `TransportHost`.
 * A phone key serves the numbers bound to it; a user key every phone of the
 * account; `hello.phone_numbers` narrows either (and `register` binds new ones).
 */
import type { PhoneRecord, Principal } from '@textport/core';
import { GatewayError, isPhoneNumber } from '@textport/core';
import type { TransportHost } from '@textport/core/transport';
import type { WelcomeFrame } from '../protocol.js';
import type { ResolvedOptions } from './options.js';

function forbidden(message: string): GatewayError {
  return new GatewayError('forbidden', message);
}

/**
 * `hello.phone_numbers` must be E.164 numbers before any is looked up or registered:
 * a store may refuse odd text outright (Postgres refuses NUL), which is no server failure.
 */
export function assertPhoneNumbers(numbers: readonly string[] | undefined): void {
  const bad = (numbers ?? []).filter((n) => !isPhoneNumber(n));
  if (bad.length === 0) return;
  throw GatewayError.validation({
    phone_numbers: [
      `The phone_numbers field must hold E.164 phone numbers e.g. +18005550199; ${bad.length} of them do not`,
    ],
  });
}

function mayActFor(principal: Principal, phoneNumber: string): boolean {
  return principal.phoneNumbers === null || principal.phoneNumbers.includes(phoneNumber);
}

async function phonesByNumber(
  host: TransportHost,
  accountId: string,
  numbers: readonly string[],
): Promise<(PhoneRecord | null)[]> {
  return Promise.all(numbers.map((n) => host.lookups.phoneByNumber(accountId, n)));
}

/**
 * Registers the requested numbers that are not yet the key's (the WebSocket
 * counterpart of the app's `PUT /v1/phones/fcm-token` login; an FCM token is kept).
 * Returns true when something was registered, so the caller re-reads the key's scope.
 */
export async function registerNumbers(
  host: TransportHost,
  principal: Principal,
  numbers: readonly string[],
): Promise<boolean> {
  const existing = await phonesByNumber(host, principal.accountId, numbers);
  let changed = false;
  for (const [i, phoneNumber] of numbers.entries()) {
    const phone = existing[i] ?? null;
    if (phone && mayActFor(principal, phoneNumber)) continue;
    await host.phoneApi.updateFcmToken(principal, {
      phoneNumber,
      fcmToken: phone?.fcmToken ?? null,
      sim: phone?.sim ?? (i === 1 ? 'SIM2' : 'SIM1'),
    });
    changed = true;
  }
  return changed;
}

/** The phone records a socket authenticated as `principal` serves; throws `forbidden`. */
export async function servedPhones(
  host: TransportHost,
  principal: Principal,
  requested: readonly string[] | undefined,
): Promise<PhoneRecord[]> {
  if (!requested || requested.length === 0) {
    const phones =
      principal.phoneNumbers === null
        ? await host.lookups.phonesOf(principal.accountId)
        : (await phonesByNumber(host, principal.accountId, principal.phoneNumbers)).filter(
            (p): p is PhoneRecord => p !== null,
          );
    if (phones.length === 0) {
      throw forbidden(
        'this API key serves no phone: register one (PUT /v1/phones/fcm-token, or hello with register: true)',
      );
    }
    return phones;
  }
  const numbers = [...new Set(requested)];
  const outside = numbers.filter((n) => !mayActFor(principal, n));
  if (outside.length > 0) {
    throw forbidden(
      `the phone API key may not act for [${outside.join(',')}]; it is bound to [${(principal.phoneNumbers ?? []).join(',')}]`,
    );
  }
  const phones = await phonesByNumber(host, principal.accountId, numbers);
  const missing = numbers.filter((_, i) => !phones[i]);
  if (missing.length > 0) {
    throw forbidden(
      `no phone is registered with the number(s) [${missing.join(',')}] (E.164); send hello with register: true`,
    );
  }
  return phones as PhoneRecord[];
}

/** The `welcome` of a socket that serves `phones` as `principal`. */
export function welcomeFrame(
  id: string,
  socket: { principal: Principal | null; phones: readonly PhoneRecord[]; deferResume: boolean },
  options: ResolvedOptions,
): Omit<WelcomeFrame, 'v'> {
  return {
    type: 'welcome',
    id,
    account_id: socket.principal?.accountId ?? '',
    phones: socket.phones.map((p) => ({ id: p.id, phone_number: p.phoneNumber, sim: p.sim })),
    ping_interval_ms: options.pingIntervalMs,
    heartbeat_interval_ms: options.heartbeatIntervalMs,
    max_payload: options.maxPayload,
    ...(socket.deferResume ? { defer_resume: true as const } : {}),
  };
}
