/** Builders for the routes that differ only in names: lists, saves and deletes by id. */

import type { Gateway, PageInput } from '@textport/core';
import { z } from 'zod';
import { fetched, noContent, success } from '../envelope.js';
import { pageOf, pageParams, uuidParam } from '../params.js';
import { type ComponentName, defineRoute } from '../route.js';

export interface ListSpec {
  path: string;
  tag: string;
  /** The OpenAPI operationId, e.g. `listWebhooks`. */
  operationId: string;
  summary: string;
  /** Singular noun of the success message (`fetched 2 webhooks`). */
  noun: string;
  data: ComponentName;
  /** `skip`/`limit`/`query` paging; absent: the route lists everything it has. */
  paging?: {
    defaultLimit: number /** What the free-text `query` matches (≤100 bytes). */;
    matches: string;
  };
  /** The account's rows (of the page), as wire objects. */
  list(gateway: Gateway, accountId: string, page: PageInput): Promise<unknown[]>;
}

/** `GET path[?skip&limit&query]` over the caller's rows. */
export function listRoute(spec: ListSpec) {
  const paging = spec.paging;
  return defineRoute({
    method: 'GET',
    path: spec.path,
    auth: 'user',
    query: paging
      ? z.object(pageParams(paging.defaultLimit, `Substring of ${paging.matches} (≤100 bytes).`))
      : undefined,
    docs: {
      tag: spec.tag,
      operationId: spec.operationId,
      summary: spec.summary,
      success: { status: 200, data: [spec.data], description: `fetched N ${spec.noun}s` },
    },
    async handle({ gateway, principal, query }) {
      const page = query ? pageOf(query, 100) : {};
      const rows = await spec.list(gateway, principal.accountId, page);
      return success(200, fetched(rows.length, spec.noun), rows);
    },
  });
}

export interface SaveSpec<BS extends z.ZodObject> {
  method: 'POST' | 'PUT';
  path: string;
  tag: string;
  operationId: string;
  summary: string;
  body: BS;
  status: 200 | 201;
  /** The success message, e.g. `webhook created successfully`. */
  message: string;
  data: ComponentName;
  errors?: readonly number[];
  /** Path parameters that must be UUIDs (422 otherwise). */
  uuids?: readonly string[];
  /** Writes and returns the wire object of the saved row. */
  save(
    gateway: Gateway,
    accountId: string,
    body: z.output<BS>,
    params: Readonly<Record<string, string>>,
  ): Promise<unknown>;
}

/** A create or update of one of the caller's rows from a JSON body. */
export function saveRoute<BS extends z.ZodObject>(spec: SaveSpec<BS>) {
  return defineRoute({
    method: spec.method,
    path: spec.path,
    auth: 'user',
    body: spec.body,
    docs: {
      tag: spec.tag,
      operationId: spec.operationId,
      summary: spec.summary,
      success: { status: spec.status, data: spec.data, description: spec.message },
      ...(spec.errors ? { errors: spec.errors } : {}),
      ...(spec.uuids ? { uuids: spec.uuids } : {}),
    },
    async handle({ gateway, principal, body, params }) {
      const data = await spec.save(gateway, principal.accountId, body as z.output<BS>, params);
      return success(spec.status, spec.message, data);
    },
  });
}

export interface DeleteSpec {
  path: string;
  tag: string;
  operationId: string;
  summary: string;
  /** The path parameter holding the id. */
  param: string;
  /** `uuid`: a lowercase UUID (v4 or v7) or 422; `raw`: the gateway checks it. */
  id?: 'uuid' | 'raw';
  changesKeys?: boolean;
  /** With a message the answer is 200 `{data: null}` (as httpSMS for phones and webhooks), else 204. */
  message?: string;
  remove(gateway: Gateway, accountId: string, id: string): Promise<unknown>;
}

/** `DELETE path/{param}` of one of the caller's rows; 404 when it has none with that id. */
export function deleteById(spec: DeleteSpec) {
  return defineRoute({
    method: 'DELETE',
    path: spec.path,
    auth: 'user',
    changesKeys: spec.changesKeys ?? false,
    docs: {
      tag: spec.tag,
      operationId: spec.operationId,
      summary: spec.summary,
      uuids: spec.id === 'raw' ? [] : [spec.param],
      success: spec.message
        ? { status: 200, data: null, description: spec.message }
        : { status: 204, description: 'deleted' },
      errors: spec.id === 'raw' ? [400, 404] : [404],
    },
    async handle({ gateway, principal, params }) {
      const id = spec.id === 'raw' ? (params[spec.param] ?? '') : uuidParam(params, spec.param);
      await spec.remove(gateway, principal.accountId, id);
      return spec.message ? success(200, spec.message, null) : noContent();
    },
  });
}

export interface CrudSpec<BS extends z.ZodObject> {
  /** Collection path, e.g. `/v1/webhooks`; items are `${base}/{param}`. */
  base: string;
  param: string;
  id: 'uuid' | 'raw';
  tag: string;
  /** Singular noun of the messages (`webhook created successfully`). */
  noun: string;
  data: ComponentName;
  body: BS;
  paging?: ListSpec['paging'];
  /** Delete answers 200 `{data: null}` (httpSMS webhooks) instead of 204. */
  deleteAnswersData?: boolean;
  summaries: { list: string; create: string; update: string; remove: string };
  /** OpenAPI operationIds, e.g. `{ list: 'listWebhooks', create: 'createWebhook', … }`. */
  operationIds: { list: string; create: string; update: string; remove: string };
  list: ListSpec['list'];
  create(gateway: Gateway, accountId: string, body: z.output<BS>): Promise<unknown>;
  update(gateway: Gateway, accountId: string, id: string, body: z.output<BS>): Promise<unknown>;
  remove: DeleteSpec['remove'];
}

/** List, create (201), replace (200) and delete of an account's settings rows. */
export function crudRoutes<BS extends z.ZodObject>(spec: CrudSpec<BS>) {
  const item = `${spec.base}/{${spec.param}}`;
  const idOf = (params: Readonly<Record<string, string>>) =>
    spec.id === 'raw' ? (params[spec.param] ?? '') : uuidParam(params, spec.param);
  const common = { tag: spec.tag, data: spec.data };
  const list = {
    ...common,
    path: spec.base,
    noun: spec.noun,
    paging: spec.paging,
    list: spec.list,
  };
  return [
    listRoute({ ...list, summary: spec.summaries.list, operationId: spec.operationIds.list }),
    saveRoute({
      ...common,
      body: spec.body,
      method: 'POST',
      path: spec.base,
      summary: spec.summaries.create,
      operationId: spec.operationIds.create,
      status: 201,
      message: `${spec.noun} created successfully`,
      save: (gateway, accountId, body) => spec.create(gateway, accountId, body),
    }),
    saveRoute({
      ...common,
      body: spec.body,
      method: 'PUT',
      path: item,
      summary: spec.summaries.update,
      operationId: spec.operationIds.update,
      ...(spec.id === 'uuid' ? { uuids: [spec.param] } : {}),
      status: 200,
      message: `${spec.noun} updated successfully`,
      errors: spec.id === 'raw' ? [400, 404] : [404],
      save: (gateway, accountId, body, params) =>
        spec.update(gateway, accountId, idOf(params), body),
    }),
    deleteById({
      path: item,
      tag: spec.tag,
      summary: spec.summaries.remove,
      operationId: spec.operationIds.remove,
      param: spec.param,
      id: spec.id,
      ...(spec.deleteAnswersData ? { message: `${spec.noun} deleted successfully` } : {}),
      remove: spec.remove,
    }),
  ];
}
