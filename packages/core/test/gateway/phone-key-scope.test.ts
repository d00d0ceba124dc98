/**
 * Which numbers a phone key may log in for (`PUT /v1/phones/fcm-token`, a WebSocket
 * `hello` with `register`): by default any number of its account (the httpSMS rule);
 * a key created with `phoneNumbers` only those; on a gateway that restricts phone
 * keys, every key needs its numbers, and an older key only the numbers it holds.
 */
import { describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { createGateway, GatewayError, silentLogger } from '../../src/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';

const A = '+18005550101';
const B = '+18005550102';

async function setup(config: Partial<GatewayConfig> = {}) {
  const gateway = createGateway({ store: createMemoryStore(), logger: silentLogger, ...config });
  const { record: account } = await gateway.accounts.create();
  async function login(apiKey: string, phoneNumber: string) {
    const principal = await gateway.accounts.authenticate(apiKey);
    if (!principal) throw new Error('the key does not authenticate');
    return gateway.phoneApi.updateFcmToken(principal, { phoneNumber, fcmToken: 'tok' });
  }
  return { gateway, account, login };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return (error as GatewayError).code;
}

describe('phone key scope', () => {
  it('by default a key logs in for any number of its account (httpSMS)', async () => {
    const t = await setup();
    const key = await t.gateway.accounts.createPhoneKey(t.account.id, { name: 'any' });
    expect(key.record.allowedNumbers).toBeNull();
    await t.login(key.apiKey, A);
    await t.login(key.apiKey, B);
    const [stored] = await t.gateway.accounts.listPhoneKeys(t.account.id);
    expect(stored?.phoneNumbers.sort()).toEqual([A, B]);
  });

  it('a key created for numbers logs in only for them; nothing is written for another', async () => {
    const t = await setup();
    const key = await t.gateway.accounts.createPhoneKey(t.account.id, {
      name: 'one phone',
      phoneNumbers: ['+1 (800) 555-0101'],
    });
    expect(key.record.allowedNumbers).toEqual([A]);
    await t.login(key.apiKey, A);
    expect(await codeOf(t.login(key.apiKey, B))).toBe('unauthorized');
    expect(await t.gateway.phones.list(t.account.id)).toHaveLength(1);
  });

  it('refuses numbers that are not phone numbers, and more than ten', async () => {
    const t = await setup();
    const create = (phoneNumbers: string[]) =>
      t.gateway.accounts.createPhoneKey(t.account.id, { name: 'k', phoneNumbers });
    expect(await codeOf(create(['not a number']))).toBe('validation');
    expect(await codeOf(create([]))).toBe('validation');
    const eleven = Array.from({ length: 11 }, (_, i) => `+1800555${String(i).padStart(4, '0')}`);
    expect(await codeOf(create(eleven))).toBe('validation');
  });

  it('restricted: a key needs its numbers, and an older key keeps only the numbers it holds', async () => {
    const store = createMemoryStore();
    const open = await setup({ store });
    const old = await open.gateway.accounts.createPhoneKey(open.account.id, { name: 'old' });
    await open.login(old.apiKey, A);

    const t = createGateway({ store, logger: silentLogger, phoneKeys: { restricted: true } });
    const error = await t.accounts.createPhoneKey(open.account.id, { name: 'new' }).catch((e) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).fields?.phone_numbers?.[0]).toContain('required');
    const principal = await t.accounts.authenticate(old.apiKey);
    if (!principal) throw new Error('the old key does not authenticate');
    await t.phoneApi.updateFcmToken(principal, { phoneNumber: A, fcmToken: 'again' });
    const refused = t.phoneApi.updateFcmToken(principal, { phoneNumber: B, fcmToken: 'tok' });
    expect(await codeOf(refused)).toBe('unauthorized');
    const fresh = await t.accounts.createPhoneKey(open.account.id, {
      name: 'new',
      phoneNumbers: [B],
    });
    const freshPrincipal = await t.accounts.authenticate(fresh.apiKey);
    if (!freshPrincipal) throw new Error('the new key does not authenticate');
    await t.phoneApi.updateFcmToken(freshPrincipal, { phoneNumber: B, fcmToken: 'tok' });
  });
});
