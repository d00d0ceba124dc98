import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/index.js';
import { OWNER, setup } from './helpers.js';

describe('accounts and API keys', () => {
  it('issues a uk_ key once and stores only its hash', async () => {
    const t = await setup();
    expect(t.apiKey).toMatch(/^uk_[A-Za-z0-9_-]{64}$/);
    const principal = await t.gateway.accounts.authenticate(t.apiKey);
    expect(principal).toMatchObject({ accountId: t.account.id, kind: 'user', phoneNumbers: null });
    const [key] = await t.store.listApiKeys({
      accountId: t.account.id,
      kind: 'user',
      skip: 0,
      limit: 10,
    });
    const raw = await t.raw.apiKey(key?.id ?? '');
    expect(raw?.keyHash).toBe(hashApiKey(t.apiKey));
    expect(JSON.stringify(key)).not.toContain(t.apiKey.slice(3));
    expect(await t.gateway.accounts.authenticate('uk_nope')).toBeNull();
    expect(await t.gateway.accounts.authenticate('garbage')).toBeNull();
  });

  it('rotation: the old key stops working at once', async () => {
    const t = await setup();
    const { apiKey } = await t.gateway.accounts.rotateApiKey(t.account.id);
    expect(apiKey).not.toBe(t.apiKey);
    expect(await t.gateway.accounts.authenticate(t.apiKey)).toBeNull();
    expect((await t.gateway.accounts.authenticate(apiKey))?.accountId).toBe(t.account.id);
  });

  it('phone keys: created with a name, listed, deleted', async () => {
    const t = await setup();
    const { record, apiKey } = await t.gateway.accounts.createPhoneKey(t.account.id, {
      name: 'Pixel 8',
    });
    expect(apiKey).toMatch(/^pk_/);
    expect(record.keyPrefix).toBe(apiKey.slice(0, 7));
    const listed = await t.gateway.accounts.listPhoneKeys(t.account.id, { limit: 10 });
    expect(listed.map((k) => k.id)).toEqual([record.id]);
    await expect(
      t.gateway.accounts.createPhoneKey(t.account.id, { name: '' }),
    ).rejects.toMatchObject({ code: 'validation' });
    await t.gateway.accounts.deletePhoneKey(t.account.id, record.id);
    expect(await t.gateway.accounts.authenticate(apiKey)).toBeNull();
    await expect(t.gateway.accounts.deletePhoneKey(t.account.id, record.id)).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('accounts.removePhoneFromKey', () => {
  it('unbinds a phone of the account; a phone of another account or none is 404 and changes nothing', async () => {
    const t = await setup();
    const { record: key, apiKey } = await t.gateway.accounts.createPhoneKey(t.account.id, {
      name: 'Pixel 8',
    });
    const principal = await t.gateway.accounts.authenticate(apiKey);
    if (!principal) throw new Error('the phone key does not authenticate');
    await t.gateway.phoneApi.updateFcmToken(principal, { phoneNumber: OWNER, fcmToken: 'fcm' });
    const { record: other } = await t.gateway.accounts.create({ email: 'other@example.com' });
    // The same number in another account: its phone must not unbind this account's.
    const theirs = await t.gateway.phones.upsert(other.id, { phoneNumber: OWNER });
    const bound = await t.store.getApiKey(t.account.id, key.id);
    expect(bound).toMatchObject({ phoneIds: [t.phone.id], phoneNumbers: [OWNER] });
    for (const phoneId of [theirs.id, '3f2c1b9e-6d4a-4c1e-9b2f-7a8e5d4c3b2a']) {
      await expect(
        t.gateway.accounts.removePhoneFromKey(t.account.id, key.id, phoneId),
      ).rejects.toMatchObject({
        code: 'not_found',
        message: `cannot find phone with ID [${phoneId}]`,
      });
    }
    expect(await t.store.getApiKey(t.account.id, key.id)).toEqual(bound);
    const unbound = await t.gateway.accounts.removePhoneFromKey(t.account.id, key.id, t.phone.id);
    expect(unbound).toMatchObject({ phoneIds: [], phoneNumbers: [] });
  });

  it("announces on the notifier's keys topic, after the commit, each change that takes a key's rights away", async () => {
    const t = await setup();
    let heard = 0;
    t.gateway.config.notifier.subscribe('keys', () => {
      heard += 1;
    });
    const { record: key, apiKey } = await t.gateway.accounts.createPhoneKey(t.account.id, {
      name: 'Pixel 8',
    });
    const principal = await t.gateway.accounts.authenticate(apiKey);
    if (!principal) throw new Error('the phone key does not authenticate');
    await t.gateway.phoneApi.updateFcmToken(principal, { phoneNumber: OWNER, fcmToken: 'fcm' });
    const configured = `pk_${'c'.repeat(20)}`;
    await t.gateway.accounts.importKey(t.account.id, {
      kind: 'phone',
      name: 'cfg',
      apiKey: configured,
    });
    expect(heard).toBe(0);
    await t.gateway.accounts.removePhoneFromKey(t.account.id, key.id, t.phone.id);
    expect(heard).toBe(1);
    await t.gateway.accounts.deletePhoneKey(t.account.id, key.id);
    expect(heard).toBe(2);
    await expect(t.gateway.accounts.deletePhoneKey(t.account.id, key.id)).rejects.toThrow();
    await t.gateway.accounts.rotateApiKey(t.account.id);
    expect(heard).toBe(3);
    const replacement = `pk_${'d'.repeat(20)}`;
    await t.gateway.accounts.importKey(t.account.id, {
      kind: 'phone',
      name: 'cfg',
      apiKey: replacement,
    });
    expect(heard).toBe(4);
  });
});

describe('accounts.update', () => {
  it('sets the time zone and the active phone, and clears the phone with null', async () => {
    const t = await setup();
    const phone = await t.gateway.phones.upsert(t.account.id, { phoneNumber: '+18005550142' });
    const updated = await t.gateway.accounts.update(t.account.id, {
      timezone: ' Europe/Berlin ',
      activePhoneId: phone.id,
    });
    expect(updated).toMatchObject({ timezone: 'Europe/Berlin', activePhoneId: phone.id });
    const cleared = await t.gateway.accounts.update(t.account.id, { activePhoneId: null });
    expect(cleared).toMatchObject({ timezone: 'Europe/Berlin', activePhoneId: null });
    expect(await t.store.getAccount(t.account.id)).toMatchObject({ activePhoneId: null });
  });

  it('reports every invalid field at once and changes nothing', async () => {
    const t = await setup();
    const other = await t.gateway.accounts.create({ email: 'other@example.com' });
    const foreign = await t.gateway.phones.upsert(other.record.id, { phoneNumber: '+18005550143' });
    const before = await t.store.getAccount(t.account.id);
    const error = await t.gateway.accounts
      .update(t.account.id, { timezone: 'Mars/Olympus', activePhoneId: foreign.id })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'validation',
      fields: {
        timezone: ['The timezone field must be a valid IANA time zone e.g Europe/Berlin'],
        active_phone_id: ['The active_phone_id is not a phone of your account'],
      },
    });
    expect(await t.store.getAccount(t.account.id)).toEqual(before);
    await expect(t.gateway.accounts.update('missing', { timezone: 'UTC' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('accounts.importKey', () => {
  it('adopts a configured key, replaces same-named keys, and refuses bad or foreign keys', async () => {
    const t = await setup();
    const key = 'uk_configured-key-0123456789';
    await t.gateway.accounts.importKey(t.account.id, {
      kind: 'user',
      name: 'account key',
      apiKey: key,
    });
    expect((await t.gateway.accounts.authenticate(key))?.accountId).toBe(t.account.id);
    expect(await t.gateway.accounts.authenticate(t.apiKey)).toBeNull();
    const again = await t.gateway.accounts.importKey(t.account.id, {
      kind: 'user',
      name: 'account key',
      apiKey: key,
    });
    expect((await t.gateway.accounts.authenticate(key))?.keyId).toBe(again.id);
    await expect(
      t.gateway.accounts.importKey(t.account.id, { kind: 'phone', name: 'p', apiKey: key }),
    ).rejects.toMatchObject({ code: 'validation' });
    const other = await t.gateway.accounts.create();
    await expect(
      t.gateway.accounts.importKey(other.record.id, {
        kind: 'user',
        name: 'account key',
        apiKey: key,
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
  });
});
