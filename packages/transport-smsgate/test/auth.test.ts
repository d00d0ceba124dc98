/** DeviceAuth: the cached key checks of phone-key devices. */
import type { TransportHost } from '@textport/core/transport';
import { describe, expect, it } from 'vitest';
import { DeviceAuth } from '../src/device/auth.js';
import type { DeviceRecord, SmsGateStore } from '../src/store/types.js';

const device = {
  id: 'device-1',
  accountId: 'account-1',
  keyId: 'key-1',
  phoneNumbers: ['+18005550101'],
} as DeviceRecord;

/** A host whose key lookup answers when `answer` is called, with what the key served then. */
function slowLookups() {
  const pending: ((numbers: string[] | null) => void)[] = [];
  let calls = 0;
  const host = {
    clock: { now: () => 1_000 },
    lookups: {
      phoneKeyNumbers: () =>
        new Promise<string[] | null>((resolve) => {
          calls += 1;
          pending.push(resolve);
        }),
    },
  } as unknown as TransportHost;
  return {
    host,
    calls: () => calls,
    answer: (numbers: string[] | null) => pending.shift()?.(numbers),
  };
}

describe('DeviceAuth', () => {
  it('does not cache a key check that was answered before a key change it outlived', async () => {
    const lookups = slowLookups();
    const auth = new DeviceAuth({} as SmsGateStore, () => lookups.host);
    // A check starts while the key still serves the number…
    const before = auth.principal(device);
    // …the key is revoked and the change announced before that check's answer comes back.
    auth.forget();
    lookups.answer(['+18005550101']);
    expect((await before)?.phoneNumbers).toEqual(['+18005550101']);
    // The next check asks again (the answer above predates the revocation) and sees it.
    const after = auth.principal(device);
    expect(lookups.calls()).toBe(2);
    lookups.answer(null);
    expect(await after).toBeNull();
    // An answer with no key change meanwhile is cached.
    expect(await auth.principal(device)).toBeNull();
    expect(lookups.calls()).toBe(2);
  });
});
