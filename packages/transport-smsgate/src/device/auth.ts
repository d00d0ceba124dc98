/**
 * Who a device is: its bearer token (stored hashed) and, for a device registered
 * with a phone API key, that key, which must still exist. Key checks are cached
 * briefly; the cache is dropped whenever keys change on any node.
 */
import { CheckCache, type Principal } from '@textport/core';
import type { TransportHost } from '@textport/core/transport';
import { hashToken } from '../ids.js';
import type { DeviceRecord, SmsGateStore } from '../store/types.js';

export interface AuthedDevice {
  device: DeviceRecord;
  /** What the device's calls to the phone API run as. */
  principal: Principal;
}

/** How long a key check is trusted when no key change was announced. */
const KEY_CACHE_MS = 5000;

/**
 * The principal of a device. A phone-key device acts for its numbers the key still
 * serves; a private-token device for its own numbers (so one device cannot report
 * on another device's messages).
 */
export function principalOf(device: DeviceRecord, keyNumbers: readonly string[] | null): Principal {
  if (device.keyId === null) {
    return {
      accountId: device.accountId,
      kind: 'host',
      keyId: null,
      phoneNumbers: [...device.phoneNumbers],
    };
  }
  const served = keyNumbers ?? [];
  return {
    accountId: device.accountId,
    kind: 'phone',
    keyId: device.keyId,
    phoneNumbers: device.phoneNumbers.filter((n) => served.includes(n)),
  };
}

export class DeviceAuth {
  private readonly keys: CheckCache<string[] | null>;

  constructor(
    private readonly store: SmsGateStore,
    private readonly host: () => TransportHost,
  ) {
    this.keys = new CheckCache({ ttlMs: KEY_CACHE_MS, clock: { now: () => host().clock.now() } });
  }

  /** Forgets every cached key check (keys changed somewhere). */
  forget(): void {
    this.keys.forget();
  }

  /** The numbers the device's key still serves; null when the key is gone. */
  async keyNumbers(device: DeviceRecord, fresh = false): Promise<string[] | null> {
    if (device.keyId === null) return [...device.phoneNumbers];
    const { accountId, keyId } = device;
    const check = () => this.host().lookups.phoneKeyNumbers(accountId, keyId);
    return this.keys.get(`${accountId} ${keyId}`, check, fresh);
  }

  /** The device's principal; null when its key was revoked or serves none of its numbers. */
  async principal(device: DeviceRecord, fresh = false): Promise<Principal | null> {
    const numbers = await this.keyNumbers(device, fresh);
    if (numbers === null) return null;
    const principal = principalOf(device, numbers);
    return principal.phoneNumbers?.length ? principal : null;
  }

  /** The device of a bearer token; null when unknown or revoked. */
  async fromToken(token: string): Promise<AuthedDevice | null> {
    if (token === '' || token.length > 512) return null;
    const device = await this.store.findDeviceByTokenHash(hashToken(token));
    if (!device) return null;
    const principal = await this.principal(device);
    return principal ? { device, principal } : null;
  }
}
