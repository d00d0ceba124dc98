/**
 * Operations that change some of an account's keys or phones find them among all of its
 * rows, however many there are: the oldest key or phone counts as much as the newest.
 */
import { describe, expect, it } from 'vitest';
import { eachRow } from '../../src/gateway/pages.js';
import type { Principal } from '../../src/index.js';
import { makePhone } from '../../src/testing/fixtures.js';
import { OWNER, type Setup, setup } from './helpers.js';

/** More rows than the largest page any list of the gateway reads at once. */
const MANY = 10_001;
const SECOND = 1000;

/** Phone keys created after the ones the test cares about (so they are the newest). */
async function newerKeys(t: Setup, count = MANY) {
  t.clock.advance(SECOND);
  for (let i = 0; i < count; i++) {
    await t.gateway.accounts.createPhoneKey(t.account.id, { name: `filler ${i}` });
  }
}

function phonePrincipal(t: Setup, keyId: string): Principal {
  return { accountId: t.account.id, kind: 'phone', keyId, phoneNumbers: [] };
}

async function boundNumbers(t: Setup, keyId: string) {
  return (await t.store.getApiKey(t.account.id, keyId))?.phoneNumbers;
}

describe('an account with more phone keys than one page', { timeout: 30_000 }, () => {
  it('an old key logging in is bound to its phone, and another old key loses it', async () => {
    const t = await setup();
    const first = await t.gateway.accounts.createPhoneKey(t.account.id, { name: 'first' });
    const second = await t.gateway.accounts.createPhoneKey(t.account.id, { name: 'second' });
    await newerKeys(t);
    const login = (keyId: string) =>
      t.gateway.phoneApi.updateFcmToken(phonePrincipal(t, keyId), {
        phoneNumber: OWNER,
        fcmToken: 'token',
      });

    await login(first.record.id);
    expect(await boundNumbers(t, first.record.id)).toEqual([OWNER]);
    await login(second.record.id);
    expect(await boundNumbers(t, second.record.id)).toEqual([OWNER]);
    expect(await boundNumbers(t, first.record.id)).toEqual([]);

    const principal = await t.gateway.accounts.authenticate(second.apiKey);
    expect(principal?.phoneNumbers).toEqual([OWNER]);
    const beats = await t.gateway.phoneApi.heartbeat(principal!, { phoneNumbers: [OWNER] });
    expect(beats).toHaveLength(1);
  });

  it('deleting a phone unbinds it from an old key', async () => {
    const t = await setup();
    const old = await t.gateway.accounts.createPhoneKey(t.account.id, { name: 'old' });
    await t.store.updateApiKey(old.record.id, { phoneIds: [t.phone.id], phoneNumbers: [OWNER] });
    await newerKeys(t);

    await t.gateway.phones.delete(t.account.id, t.phone.id);
    expect(await t.store.getApiKey(t.account.id, old.record.id)).toMatchObject({
      phoneIds: [],
      phoneNumbers: [],
    });
  });

  it('importing a key replaces the old keys of its name', async () => {
    const t = await setup();
    const old = await t.gateway.accounts.createPhoneKey(t.account.id, { name: 'device' });
    await newerKeys(t);

    await t.gateway.accounts.importKey(t.account.id, {
      kind: 'phone',
      name: 'device',
      apiKey: 'pk_imported-from-configuration',
    });
    expect(await t.store.getApiKey(t.account.id, old.record.id)).toBeNull();
    expect(await t.gateway.accounts.authenticate(old.apiKey)).toBeNull();
  });
});

describe('an account with more user keys than one page', { timeout: 30_000 }, () => {
  it('rotating the user key removes every old one', async () => {
    const t = await setup();
    const imported = 'uk_imported-0000-from-configuration';
    await t.gateway.accounts.importKey(t.account.id, {
      kind: 'user',
      name: 'ops',
      apiKey: imported,
    });
    t.clock.advance(SECOND);
    for (let i = 0; i < 1_001; i++) {
      await t.gateway.accounts.importKey(t.account.id, {
        kind: 'user',
        name: `service ${i}`,
        apiKey: `uk_service-key-${String(i).padStart(6, '0')}`,
      });
    }

    const rotated = await t.gateway.accounts.rotateApiKey(t.account.id);
    expect(await t.gateway.accounts.authenticate(imported)).toBeNull();
    expect(await t.gateway.accounts.authenticate(t.apiKey)).toBeNull();
    const kept = await t.store.listApiKeys({
      accountId: t.account.id,
      kind: 'user',
      skip: 0,
      limit: 2_000,
    });
    expect(kept).toHaveLength(1);
    expect((await t.gateway.accounts.authenticate(rotated.apiKey))?.accountId).toBe(t.account.id);
  });
});

describe('an account with more phones than one page', { timeout: 30_000 }, () => {
  it('deleting a send schedule clears it from an old phone', async () => {
    const t = await setup();
    const schedule = await t.gateway.schedules.create(t.account.id, {
      name: 'Office',
      timezone: 'Europe/Berlin',
      windows: [{ dayOfWeek: 1, startMinute: 540, endMinute: 1020 }],
    });
    await t.gateway.phones.upsert(t.account.id, {
      phoneNumber: OWNER,
      sendScheduleId: schedule.id,
    });
    const later = t.clock.now() + SECOND;
    for (let i = 0; i < MANY; i++) {
      await t.store.insertPhone(
        makePhone({
          accountId: t.account.id,
          phoneNumber: `+1800${2_000_000 + i}`,
          createdAt: later,
          sendScheduleId: i % 1000 === 0 ? schedule.id : null,
        }),
      );
    }

    const accountId = t.account.id;
    await t.gateway.schedules.delete(accountId, schedule.id);
    expect((await t.gateway.phones.get(t.account.id, t.phone.id)).sendScheduleId).toBeNull();
    for await (const phone of eachRow((page) => t.store.listPhones({ accountId, ...page }))) {
      expect(phone.sendScheduleId).toBeNull();
    }
  });
});
