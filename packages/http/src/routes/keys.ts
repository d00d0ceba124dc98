/**
 * The account (`/v1/users`) and its keys: the user key (rotation) and phone API
 * keys. Keys are stored as hashes, so a full key is shown only in the answer
 * that creates it; every other answer shows its first characters and `…`.
 */

import type { Gateway } from '@textport/core';
import { maskedKey, toWireAccount, toWirePhoneApiKey } from '@textport/core/wire';
import { z } from 'zod';
import { noContent, success, unauthorized } from '../envelope.js';
import { uuidParam } from '../params.js';
import { defineRoute } from '../route.js';
import { flag, needed, optional, text, textList } from '../schemas.js';
import { deleteById, listRoute, saveRoute } from './common.js';

const USERS = 'Users';
const KEYS = 'Phone API keys';

const userBody = z.object({
  timezone: optional(text, 'IANA time zone, used for naive send times of bulk files.'),
  active_phone_id: optional(text, 'One of your phones; null or "" clears it.'),
});

const notificationsBody = z.object({
  message_status_enabled: optional(
    flag,
    'E-mail when a message finally fails or expires (absent: false, as httpSMS).',
  ),
  webhook_enabled: optional(flag, 'E-mail when a webhook keeps failing (absent: false).'),
  heartbeat_enabled: optional(flag, 'E-mail when a phone goes offline (absent: false).'),
  newsletter_enabled: optional(flag, 'Accepted for httpSMS clients; textport sends no newsletter.'),
});

/** The account as `GET /v1/users/me` shows it, with its user key masked (also the admin routes'). */
export async function wireAccount(gateway: Gateway, accountId: string) {
  const account = await gateway.accounts.get(accountId);
  const [key] = await gateway.store.listApiKeys({ accountId, kind: 'user', skip: 0, limit: 1 });
  return toWireAccount(account, key ? maskedKey(key) : '');
}

/** Absent fields keep their value; an invalid time zone or a phone of another account is 422. */
export const keyRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/users/me',
    auth: 'user',
    docs: {
      tag: USERS,
      operationId: 'getUser',
      summary: 'Your account (the API key is masked: keys are stored hashed)',
      success: { status: 200, data: 'User', description: 'user fetched successfully' },
      errors: [404],
    },
    async handle({ gateway, principal }) {
      return success(
        200,
        'user fetched successfully',
        await wireAccount(gateway, principal.accountId),
      );
    },
  }),

  saveRoute({
    method: 'PUT',
    path: '/v1/users/me',
    operationId: 'updateUser',
    tag: USERS,
    summary: 'Update the time zone or the active phone',
    body: userBody,
    status: 200,
    message: 'user updated successfully',
    data: 'User',
    errors: [404],
    async save(gateway, accountId, body) {
      await gateway.accounts.update(accountId, {
        ...(typeof body.timezone === 'string' ? { timezone: body.timezone } : {}),
        ...(body.active_phone_id !== undefined ? { activePhoneId: body.active_phone_id } : {}),
      });
      return wireAccount(gateway, accountId);
    },
  }),

  defineRoute({
    method: 'DELETE',
    path: '/v1/users/me',
    auth: 'user',
    changesKeys: true,
    docs: {
      tag: USERS,
      operationId: 'deleteUser',
      summary:
        'Delete your account and everything it owns (messages, threads, phones, keys, webhooks, attachments); its keys stop working at once',
      success: { status: 204, description: 'account deleted' },
      errors: [404],
    },
    async handle({ gateway, principal }) {
      await gateway.accounts.delete(principal.accountId);
      return noContent();
    },
  }),

  defineRoute({
    method: 'PUT',
    path: '/v1/users/{userID}/notifications',
    auth: 'user',
    body: notificationsBody,
    docs: {
      tag: USERS,
      operationId: 'updateUserNotifications',
      summary:
        'Choose the e-mail alerts of your account: all three at once, an absent one is off (`userID` is your own id)',
      success: {
        status: 200,
        data: 'User',
        description: 'user notification settings updated successfully',
      },
      errors: [404],
    },
    async handle({ gateway, principal, params, body }) {
      // httpSMS updates the caller whatever the path names; textport refuses another id,
      // as key rotation does, so a request meant for another account changes nothing.
      if (params.userID !== principal.accountId) return unauthorized();
      await gateway.accounts.updateNotifications(principal.accountId, {
        messageStatusEnabled: body.message_status_enabled === true,
        webhookEnabled: body.webhook_enabled === true,
        heartbeatEnabled: body.heartbeat_enabled === true,
      });
      return success(
        200,
        'user notification settings updated successfully',
        await wireAccount(gateway, principal.accountId),
      );
    },
  }),

  defineRoute({
    method: 'DELETE',
    path: '/v1/users/{userID}/api-keys',
    auth: 'user',
    changesKeys: true,
    docs: {
      tag: USERS,
      operationId: 'rotateApiKey',
      summary: 'Rotate your API key: the answer holds the new key, the old one stops working',
      success: { status: 200, data: 'User', description: 'API Key rotated successfully' },
    },
    async handle({ gateway, principal, params }) {
      if (params.userID !== principal.accountId) return unauthorized();
      const { record, apiKey } = await gateway.accounts.rotateApiKey(principal.accountId);
      return success(200, 'API Key rotated successfully', toWireAccount(record, apiKey));
    },
  }),

  listRoute({
    path: '/v1/phone-api-keys',
    operationId: 'listPhoneApiKeys',
    tag: KEYS,
    summary: 'List phone API keys (masked), newest first',
    noun: 'phone API key',
    data: 'PhoneApiKey',
    paging: { defaultLimit: 1, matches: 'the name' },
    async list(gateway, accountId, page) {
      const account = await gateway.accounts.get(accountId);
      const keys = await gateway.accounts.listPhoneKeys(accountId, page);
      return keys.map((k) => toWirePhoneApiKey(k, account.email));
    },
  }),

  saveRoute({
    method: 'POST',
    path: '/v1/phone-api-keys',
    operationId: 'createPhoneApiKey',
    tag: KEYS,
    summary: 'Create a phone API key (the only answer that shows the full key)',
    body: z.object({
      name: needed(text, 'A name for the key (1–60 bytes).'),
      phone_numbers: optional(
        textList,
        'textport: the numbers the key may log in for (1–10); absent, any number of the account unless phone keys are restricted.',
      ),
    }),
    status: 200,
    message: 'phone API key created successfully',
    data: 'PhoneApiKey',
    async save(gateway, accountId, body) {
      const account = await gateway.accounts.get(accountId);
      const issued = await gateway.accounts.createPhoneKey(accountId, {
        name: body.name ?? '',
        phoneNumbers: body.phone_numbers ?? null,
      });
      return toWirePhoneApiKey(issued.record, account.email, issued.apiKey);
    },
  }),

  deleteById({
    path: '/v1/phone-api-keys/{phoneAPIKeyID}',
    operationId: 'deletePhoneApiKey',
    tag: KEYS,
    summary: 'Delete a phone API key',
    param: 'phoneAPIKeyID',
    changesKeys: true,
    remove: (gateway, accountId, id) => gateway.accounts.deletePhoneKey(accountId, id),
  }),

  defineRoute({
    method: 'DELETE',
    path: '/v1/phone-api-keys/{phoneAPIKeyID}/phones/{phoneID}',
    auth: 'user',
    changesKeys: true,
    docs: {
      tag: KEYS,
      operationId: 'removePhoneFromPhoneApiKey',
      uuids: ['phoneAPIKeyID', 'phoneID'],
      summary: 'Unbind a phone from a phone API key',
      success: { status: 204, description: 'removed' },
      errors: [404],
    },
    async handle({ gateway, principal, params }) {
      const keyId = uuidParam(params, 'phoneAPIKeyID');
      const phoneId = uuidParam(params, 'phoneID');
      await gateway.accounts.removePhoneFromKey(principal.accountId, keyId, phoneId);
      return noContent();
    },
  }),
];
