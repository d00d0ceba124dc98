/** Accounts and their API keys: user keys (`uk_`) and phone keys (`pk_`), stored hashed. */

import { createHash } from 'node:crypto';
import type { AccountRecord, ApiKeyKind, ApiKeyRecord } from '../domain/records.js';
import { isValidTimeZone } from '../domain/windows.js';
import { GatewayError } from '../errors.js';
import type { Principal } from '../phone-api.js';
import type { GatewayContext } from '../uow/context.js';
import { runUnitOfWork, wake } from '../uow/context.js';
import { eachRow } from './pages.js';
import { rewritePhoneKeys } from './phone-keys.js';
import { Checker } from './validate.js';

/** Who is calling: resolved from an API key, or supplied by the host's own auth. */
export type { Principal } from '../phone-api.js';

export interface IssuedKey<T> {
  record: T;
  /** The full key: shown now, never again (only its hash is stored). */
  apiKey: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function generateKey(ctx: GatewayContext, prefix: 'uk_' | 'pk_'): string {
  return prefix + Buffer.from(ctx.random.bytes(64)).toString('base64url').slice(0, 64);
}

function keyRecord(
  ctx: GatewayContext,
  accountId: string,
  kind: ApiKeyKind,
  name: string,
  key: string,
  allowedNumbers: string[] | null = null,
): ApiKeyRecord {
  const now = ctx.clock.now();
  return {
    id: ctx.random.uuid(),
    accountId,
    kind,
    name,
    keyHash: hashApiKey(key),
    keyPrefix: key.slice(0, 7),
    phoneIds: [],
    phoneNumbers: [],
    allowedNumbers,
    createdAt: now,
    updatedAt: now,
  };
}

export interface CreateAccountInput {
  id?: string;
  email?: string | null;
  timezone?: string;
}

export async function createAccount(
  ctx: GatewayContext,
  input: CreateAccountInput = {},
): Promise<IssuedKey<AccountRecord>> {
  const check = new Checker();
  const email = input.email?.trim() || null;
  if (email !== null && (email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(email))) {
    check.add('email', 'The email field must be an e-mail address of at most 254 characters');
  }
  const timezone = input.timezone?.trim() ?? 'UTC';
  if (timezone === '' || !isValidTimeZone(timezone)) {
    check.add('timezone', 'The timezone field must be a valid IANA time zone e.g Europe/Berlin');
  }
  check.throwIfInvalid();
  const now = ctx.clock.now();
  const account: AccountRecord = {
    id: input.id ?? ctx.random.uuid(),
    email,
    timezone,
    activePhoneId: null,
    notificationMessageStatusEnabled: true,
    notificationWebhookEnabled: true,
    notificationHeartbeatEnabled: true,
    createdAt: now,
    updatedAt: now,
  };
  const apiKey = generateKey(ctx, 'uk_');
  return runUnitOfWork(ctx, async ({ tx }) => {
    await tx.insertAccount(account);
    await tx.insertApiKey(keyRecord(ctx, account.id, 'user', 'account key', apiKey));
    return { record: account, apiKey };
  });
}

export async function getAccount(ctx: GatewayContext, id: string): Promise<AccountRecord> {
  const account = await ctx.store.getAccount(id);
  if (!account) throw GatewayError.notFound(`cannot find account with ID [${id}]`);
  return account;
}

/** What `accounts.update` may change; absent fields stay as they are. */
export interface AccountSettingsInput {
  /** IANA time zone (naive send times of bulk files are read in it). */
  timezone?: string;
  /** One of the account's phones; null or '' clears it. */
  activePhoneId?: string | null;
}

/** Updates the time zone or the active phone; every invalid field is reported at once. */
export async function updateAccount(
  ctx: GatewayContext,
  accountId: string,
  input: AccountSettingsInput,
): Promise<AccountRecord> {
  const check = new Checker();
  const patch: { timezone?: string; activePhoneId?: string | null } = {};
  if (input.timezone !== undefined) {
    patch.timezone = input.timezone.trim();
    if (patch.timezone === '' || !isValidTimeZone(patch.timezone)) {
      check.add('timezone', 'The timezone field must be a valid IANA time zone e.g Europe/Berlin');
    }
  }
  if (input.activePhoneId === null || input.activePhoneId === '') patch.activePhoneId = null;
  else if (input.activePhoneId !== undefined) {
    patch.activePhoneId = check.uuid('active_phone_id', input.activePhoneId);
    const phone = patch.activePhoneId ? await ctx.store.getPhone(patch.activePhoneId) : null;
    if (patch.activePhoneId && phone?.accountId !== accountId) {
      check.add('active_phone_id', 'The active_phone_id is not a phone of your account');
    }
  }
  check.throwIfInvalid();
  const updated = await ctx.store.updateAccount(accountId, {
    ...patch,
    updatedAt: ctx.clock.now(),
  });
  if (!updated) throw GatewayError.notFound(`cannot find account with ID [${accountId}]`);
  return updated;
}

/** The account's alert settings (`PUT /v1/users/{userID}/notifications`). */
export interface NotificationSettingsInput {
  messageStatusEnabled: boolean;
  webhookEnabled: boolean;
  heartbeatEnabled: boolean;
}

/** Sets which alerts the account gets (all three at once, as httpSMS does). */
export async function updateNotifications(
  ctx: GatewayContext,
  accountId: string,
  input: NotificationSettingsInput,
): Promise<AccountRecord> {
  const updated = await ctx.store.updateAccount(accountId, {
    notificationMessageStatusEnabled: input.messageStatusEnabled,
    notificationWebhookEnabled: input.webhookEnabled,
    notificationHeartbeatEnabled: input.heartbeatEnabled,
    updatedAt: ctx.clock.now(),
  });
  if (!updated) throw GatewayError.notFound(`cannot find account with ID [${accountId}]`);
  return updated;
}

/**
 * Tells every node, once the change has committed, that keys were revoked or lost
 * numbers: open phone sockets check their key again (and close when it is gone).
 */
export function keysRevoked(ctx: GatewayContext): void {
  wake(ctx, 'keys');
}

/** Replaces the account's user key; the old key stops working at once. */
export async function rotateUserKey(
  ctx: GatewayContext,
  accountId: string,
): Promise<IssuedKey<AccountRecord>> {
  const issued = await runUnitOfWork(ctx, async ({ tx }) => {
    const account = await tx.getAccount(accountId);
    if (!account) throw GatewayError.notFound(`cannot find account with ID [${accountId}]`);
    const old: string[] = [];
    for await (const key of eachRow((page) =>
      tx.listApiKeys({ accountId, kind: 'user', ...page }),
    )) {
      old.push(key.id);
    }
    for (const id of old) await tx.deleteApiKey(accountId, id);
    const apiKey = generateKey(ctx, 'uk_');
    await tx.insertApiKey(keyRecord(ctx, accountId, 'user', 'account key', apiKey));
    return { record: account, apiKey };
  });
  keysRevoked(ctx);
  return issued;
}

/** The numbers a phone key may be created for, at most. */
export const MAX_PHONE_KEY_NUMBERS = 10;

/**
 * A phone key. With `phoneNumbers` it may log in only for those numbers; without, for
 * any number of the account (the httpSMS rule), unless the gateway restricts phone
 * keys (`phoneKeys.restricted`), which makes the numbers required.
 */
export async function createPhoneKey(
  ctx: GatewayContext,
  accountId: string,
  input: { name: string; phoneNumbers?: readonly string[] | null },
): Promise<IssuedKey<ApiKeyRecord>> {
  const check = new Checker();
  const name = check.text('name', input.name, 1, 60);
  const given = input.phoneNumbers ?? null;
  let numbers: string[] | null = null;
  if (given === null && ctx.phoneKeys.restricted) {
    check.add(
      'phone_numbers',
      'The phone_numbers field is required: phone keys on this server work only for the numbers they are created for',
    );
  } else if (given !== null) {
    if (!Array.isArray(given) || given.length < 1 || given.length > MAX_PHONE_KEY_NUMBERS) {
      check.add(
        'phone_numbers',
        `The phone_numbers field must have between 1 and ${MAX_PHONE_KEY_NUMBERS} items`,
      );
    } else {
      numbers = [...new Set(given.map((n) => check.phoneNumber('phone_numbers', n)))];
    }
  }
  check.throwIfInvalid();
  await getAccount(ctx, accountId);
  const apiKey = generateKey(ctx, 'pk_');
  const record = keyRecord(ctx, accountId, 'phone', name, apiKey, numbers);
  await ctx.store.insertApiKey(record);
  return { record, apiKey };
}

export async function deletePhoneKey(ctx: GatewayContext, accountId: string, id: string) {
  const key = await ctx.store.getApiKey(accountId, id);
  if (key?.kind !== 'phone' || !(await ctx.store.deleteApiKey(accountId, id))) {
    throw GatewayError.notFound(`cannot find phone API key with ID [${id}]`);
  }
  keysRevoked(ctx);
}

/**
 * Makes a key chosen outside textport (e.g. from configuration) a key of the account:
 * it replaces the account's keys of the same kind and name. Already stored: nothing changes.
 */
export async function importKey(
  ctx: GatewayContext,
  accountId: string,
  input: { kind: ApiKeyKind; name: string; apiKey: string },
): Promise<ApiKeyRecord> {
  const prefix = input.kind === 'user' ? 'uk_' : 'pk_';
  if (!input.apiKey.startsWith(prefix) || input.apiKey.length < 19) {
    throw GatewayError.validation({
      api_key: [`a ${input.kind} key starts with ${prefix} followed by at least 16 characters`],
    });
  }
  let replaced = false;
  const record = await runUnitOfWork(ctx, async ({ tx }) => {
    const existing = await tx.findApiKeyByHash(hashApiKey(input.apiKey));
    if (existing?.accountId === accountId) return existing;
    if (existing) throw new GatewayError('conflict', 'this key belongs to another account');
    const kind = input.kind;
    const named: string[] = [];
    const query = input.name;
    for await (const old of eachRow((page) =>
      tx.listApiKeys({ accountId, kind, query, ...page }),
    )) {
      if (old.name === input.name) named.push(old.id);
    }
    for (const id of named) replaced = (await tx.deleteApiKey(accountId, id)) || replaced;
    const record = keyRecord(ctx, accountId, kind, input.name, input.apiKey);
    await tx.insertApiKey(record);
    return record;
  });
  if (replaced) keysRevoked(ctx);
  return record;
}

/** Unbinds a phone from a phone key. */
export async function removePhoneFromKey(
  ctx: GatewayContext,
  accountId: string,
  keyId: string,
  phoneId: string,
): Promise<ApiKeyRecord> {
  const updated = await runUnitOfWork(ctx, async ({ tx }) => {
    const key = await tx.getApiKey(accountId, keyId);
    if (key?.kind !== 'phone') {
      throw GatewayError.notFound(`cannot find phone API key with ID [${keyId}]`);
    }
    const phone = await tx.getPhone(phoneId);
    // Another account's phone is no phone of this account (httpSMS loads it by user and id).
    if (phone?.accountId !== accountId) {
      throw GatewayError.notFound(`cannot find phone with ID [${phoneId}]`);
    }
    await rewritePhoneKeys(tx, accountId, ctx.clock.now(), (current) =>
      current.id === key.id
        ? {
            phoneIds: current.phoneIds.filter((id) => id !== phoneId),
            phoneNumbers: current.phoneNumbers.filter((n) => n !== phone.phoneNumber),
          }
        : null,
    );
    return (await tx.getApiKey(accountId, key.id)) ?? key;
  });
  keysRevoked(ctx);
  return updated;
}

/** Resolves an `x-api-key` value; null when it is unknown. */
export async function authenticate(ctx: GatewayContext, key: string): Promise<Principal | null> {
  if (!key.startsWith('uk_') && !key.startsWith('pk_')) return null;
  const record = await ctx.store.findApiKeyByHash(hashApiKey(key));
  if (!record) return null;
  return {
    accountId: record.accountId,
    kind: record.kind,
    keyId: record.id,
    phoneNumbers: record.kind === 'phone' ? [...record.phoneNumbers] : null,
  };
}

/** Phone keys may act only for the numbers bound to them (httpSMS 401 texts). */
export function assertPhoneScope(principal: Principal, phoneNumber: string): void {
  const allowed = principal.phoneNumbers;
  if (allowed === null || allowed.includes(phoneNumber)) return;
  throw new GatewayError(
    'unauthorized',
    'You are not authorized to carry out the request for this phone number',
    {
      detail: `The phone API key is does not have permission to carry out actions on the phone number [${phoneNumber}]. The API key is only configured for these phone numbers [${allowed.join(',')}]`,
    },
  );
}
