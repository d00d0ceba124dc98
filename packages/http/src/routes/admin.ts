/**
 * The operator's routes (`/v1/admin/…`): accounts and their keys, for whoever holds the
 * admin key (`Authorization: Bearer <adminKey>`). Served only when `createHttpApi` is
 * given an `adminKey`; they act on any account, named in the path. Full keys appear only
 * in the answers that create them, as on the account's own routes.
 */
import type { Gateway } from '@textport/core';
import { toWireAccount, toWirePhone, toWirePhoneApiKey } from '@textport/core/wire';
import { z } from 'zod';
import { fetched, noContent, success } from '../envelope.js';
import { pageParams, uuidParam } from '../params.js';
import { defineRoute } from '../route.js';
import { needed, optional, text, textList } from '../schemas.js';
import { wireAccount } from './keys.js';

const TAG = 'Admin';
const ACCOUNT = '/v1/admin/accounts/{userID}';
const page = z.object(pageParams(100, 'Not used.'));

/** The account named in the path; 404 when there is none. */
async function accountOf(gateway: Gateway, params: Readonly<Record<string, string>>) {
  const id = uuidParam(params, 'userID');
  await gateway.accounts.get(id);
  return id;
}

export const adminRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/admin/accounts',
    auth: 'admin',
    query: page,
    docs: {
      tag: TAG,
      operationId: 'adminListAccounts',
      summary: 'Every account, oldest first (API keys masked)',
      success: { status: 200, data: ['User'], description: 'fetched N accounts' },
    },
    async handle({ gateway, query }) {
      const accounts = await gateway.accounts.list({ skip: query.skip, limit: query.limit });
      const wire = await Promise.all(accounts.map((a) => wireAccount(gateway, a.id)));
      return success(200, fetched(wire.length, 'account'), wire);
    },
  }),

  defineRoute({
    method: 'POST',
    path: '/v1/admin/accounts',
    auth: 'admin',
    body: z.object({
      email: optional(text, 'The owner’s e-mail address.'),
      timezone: optional(text, 'IANA time zone (default UTC).'),
    }),
    docs: {
      tag: TAG,
      operationId: 'adminCreateAccount',
      summary: 'Create an account: the answer holds its API key, shown this once',
      success: { status: 201, data: 'User', description: 'account created successfully' },
    },
    async handle({ gateway, body }) {
      const created = await gateway.accounts.create({
        email: body.email ?? null,
        ...(typeof body.timezone === 'string' ? { timezone: body.timezone } : {}),
      });
      return success(
        201,
        'account created successfully',
        toWireAccount(created.record, created.apiKey),
      );
    },
  }),

  defineRoute({
    method: 'GET',
    path: ACCOUNT,
    auth: 'admin',
    docs: {
      tag: TAG,
      operationId: 'adminGetAccount',
      uuids: ['userID'],
      summary: 'One account (its API key masked)',
      success: { status: 200, data: 'User', description: 'account fetched successfully' },
      errors: [404],
    },
    async handle({ gateway, params }) {
      const id = await accountOf(gateway, params);
      return success(200, 'account fetched successfully', await wireAccount(gateway, id));
    },
  }),

  defineRoute({
    method: 'DELETE',
    path: `${ACCOUNT}/api-keys`,
    auth: 'admin',
    changesKeys: true,
    docs: {
      tag: TAG,
      operationId: 'adminRotateApiKey',
      uuids: ['userID'],
      summary: 'Rotate an account’s API key: the answer holds the new key, the old one stops',
      success: { status: 200, data: 'User', description: 'API Key rotated successfully' },
      errors: [404],
    },
    async handle({ gateway, params }) {
      const id = await accountOf(gateway, params);
      const { record, apiKey } = await gateway.accounts.rotateApiKey(id);
      return success(200, 'API Key rotated successfully', toWireAccount(record, apiKey));
    },
  }),

  defineRoute({
    method: 'GET',
    path: `${ACCOUNT}/phone-api-keys`,
    auth: 'admin',
    query: page,
    docs: {
      tag: TAG,
      operationId: 'adminListPhoneApiKeys',
      uuids: ['userID'],
      summary: 'An account’s phone API keys (masked), newest first',
      success: { status: 200, data: ['PhoneApiKey'], description: 'fetched N phone API keys' },
      errors: [404],
    },
    async handle({ gateway, params, query }) {
      const id = await accountOf(gateway, params);
      const account = await gateway.accounts.get(id);
      const keys = await gateway.accounts.listPhoneKeys(id, {
        skip: query.skip,
        limit: query.limit,
      });
      const wire = keys.map((k) => toWirePhoneApiKey(k, account.email));
      return success(200, fetched(wire.length, 'phone API key'), wire);
    },
  }),

  defineRoute({
    method: 'POST',
    path: `${ACCOUNT}/phone-api-keys`,
    auth: 'admin',
    changesKeys: true,
    body: z.object({
      name: needed(text, 'A name for the key (1–60 bytes).'),
      phone_numbers: optional(textList, 'The numbers the key may log in for (1–10).'),
    }),
    docs: {
      tag: TAG,
      operationId: 'adminCreatePhoneApiKey',
      uuids: ['userID'],
      summary: 'Create a phone API key for an account (the only answer with the full key)',
      success: {
        status: 200,
        data: 'PhoneApiKey',
        description: 'phone API key created successfully',
      },
      errors: [404],
    },
    async handle({ gateway, params, body }) {
      const id = await accountOf(gateway, params);
      const account = await gateway.accounts.get(id);
      const issued = await gateway.accounts.createPhoneKey(id, {
        name: body.name ?? '',
        phoneNumbers: body.phone_numbers ?? null,
      });
      return success(
        200,
        'phone API key created successfully',
        toWirePhoneApiKey(issued.record, account.email, issued.apiKey),
      );
    },
  }),

  defineRoute({
    method: 'DELETE',
    path: `${ACCOUNT}/phone-api-keys/{phoneAPIKeyID}`,
    auth: 'admin',
    changesKeys: true,
    docs: {
      tag: TAG,
      operationId: 'adminDeletePhoneApiKey',
      uuids: ['userID', 'phoneAPIKeyID'],
      summary: 'Delete a phone API key of an account: it stops working at once',
      success: { status: 204, description: 'deleted' },
      errors: [404],
    },
    async handle({ gateway, params }) {
      const id = await accountOf(gateway, params);
      await gateway.accounts.deletePhoneKey(id, uuidParam(params, 'phoneAPIKeyID'));
      return noContent();
    },
  }),

  defineRoute({
    method: 'GET',
    path: `${ACCOUNT}/phones`,
    auth: 'admin',
    query: page,
    docs: {
      tag: TAG,
      operationId: 'adminListPhones',
      uuids: ['userID'],
      summary: 'An account’s phones, newest first',
      success: { status: 200, data: ['Phone'], description: 'fetched N phones' },
      errors: [404],
    },
    async handle({ gateway, params, query }) {
      const id = await accountOf(gateway, params);
      const phones = await gateway.phones.list(id, { skip: query.skip, limit: query.limit });
      const now = gateway.config.clock.now();
      return success(
        200,
        fetched(phones.length, 'phone'),
        phones.map((p) => toWirePhone(p, now)),
      );
    },
  }),
];
