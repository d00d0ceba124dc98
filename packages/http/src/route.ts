/**
 * How a route is declared: method, path, who may call it, the zod schemas of its
 * query and body (used both to decode the request and to write the OpenAPI
 * document), its documentation and its handler.
 */

import type { Gateway, Principal } from '@textport/core';
import type { z } from 'zod';
import type { HttpRequest, HttpResponse } from './types.js';

/**
 * `user`: user keys and host auth; `phone`: also phone keys; `public`: no auth; `admin`: the
 * operator's admin key (`Authorization: Bearer …`), acting on the account named in the path.
 */
export type RouteAuth = 'public' | 'user' | 'phone' | 'admin';
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Names of the wire schemas published as OpenAPI components. */
export type ComponentName =
  | 'Message'
  | 'Phone'
  | 'Heartbeat'
  | 'MessageThread'
  | 'User'
  | 'PhoneApiKey'
  | 'Webhook'
  | 'WebhookDelivery'
  | 'SendSchedule'
  | 'Suppression'
  | 'Pool'
  | 'DiscordIntegration'
  | 'Integration3cx'
  | 'BulkMessage';

/** The `data` of a success answer: a component, an array of one, another schema, or `null`. */
export type DataDoc = ComponentName | readonly [ComponentName] | z.ZodType | null;

/** A body other than the `{status, message, data}` envelope: its media type and JSON schema. */
export interface RawBodyDoc {
  mediaType: string;
  schema: Readonly<Record<string, unknown>>;
}

/** A documented answer; `body` absent: the envelope (success) or the Error schema. */
export interface ResponseDoc {
  status: number;
  description: string;
  /** `null`: no body; a raw body; absent: the envelope with `data`. */
  body?: RawBodyDoc | null;
  data?: DataDoc;
}

export interface RouteDocs {
  summary: string;
  tag: string;
  /** The OpenAPI operationId: stable, camelCase, verb first (`sendMessage`, `listWebhooks`). */
  operationId: string;
  /** Path parameters that must be UUIDs (the route answers 422 otherwise). */
  uuids?: readonly string[];
  description?: string;
  success: ResponseDoc;
  /** Error statuses besides the ones implied by auth, body and query. */
  errors?: readonly number[];
  /** Other answers whose body is not the Error envelope (e.g. 503 of a failed readiness check). */
  otherResponses?: readonly ResponseDoc[];
}

/** A `multipart/form-data` file part. */
export interface UploadedFile {
  fileName: string;
  contentType: string;
  data: Uint8Array;
}

export interface RouteContext<B, Q, A extends RouteAuth> {
  gateway: Gateway;
  principal: A extends 'public' | 'admin' ? null : Principal;
  /** Path parameters, URL-decoded. */
  params: Readonly<Record<string, string>>;
  query: Q;
  body: B;
  /** The uploaded file of a multipart route. */
  file: UploadedFile | null;
  request: HttpRequest;
}

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<
  A extends RouteAuth,
  BS extends z.ZodType | undefined,
  QS extends z.ZodObject | undefined,
> {
  method: RouteMethod;
  /** OpenAPI style: `/v1/messages/{messageID}`. */
  path: string;
  auth: A;
  /** JSON body schema: JSON type errors are 400, unknown keys are dropped. */
  body?: BS;
  /** Query schema: problems are 422 with one message per parameter. */
  query?: QS;
  /** The multipart field holding the uploaded file. */
  upload?: string;
  /** Body size limit in bytes (default 1 MiB). */
  limit?: number;
  /** Calls of the phone app that drops a message on any 4xx: only bad input may answer 4xx. */
  inbound?: boolean;
  /** Tries to read a body that is not valid JSON. */
  lenient?: (text: string) => unknown;
  /** Changes API keys or what they may act for: remembered keys of the account are forgotten. */
  changesKeys?: boolean;
  /** Also takes the user key as `Authorization: Bearer <key>` (what 3CX sends). */
  bearerKey?: boolean;
  /** Answers before the body is read, after auth (e.g. 204 for a multipart SMS part id). */
  early?: (params: Readonly<Record<string, string>>) => HttpResponse | undefined;
  docs: RouteDocs;
  handle(ctx: RouteContext<Output<BS>, Output<QS>, A>): Promise<HttpResponse>;
}

export interface Route {
  readonly method: RouteMethod;
  readonly path: string;
  readonly auth: RouteAuth;
  readonly body: z.ZodType | undefined;
  readonly query: z.ZodObject | undefined;
  /** Query keys read as lists (repeated parameters). */
  readonly listKeys: ReadonlySet<string>;
  readonly upload: string | undefined;
  readonly limit: number;
  readonly inbound: boolean;
  readonly changesKeys: boolean;
  readonly bearerKey: boolean;
  readonly lenient: ((text: string) => unknown) | undefined;
  readonly early:
    | ((params: Readonly<Record<string, string>>) => HttpResponse | undefined)
    | undefined;
  readonly docs: RouteDocs;
  readonly handle: (ctx: RouteContext<unknown, unknown, RouteAuth>) => Promise<HttpResponse>;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

interface WrapperDef {
  type: string;
  in?: unknown;
  innerType?: unknown;
}

function listKeysOf(schema: z.ZodObject | undefined): Set<string> {
  const keys = new Set<string>();
  if (!schema) return keys;
  for (const [key, field] of Object.entries(schema.shape)) {
    let def = (field as z.ZodType).def as WrapperDef;
    while (def.type === 'optional' || def.type === 'pipe') {
      def = ((def.type === 'pipe' ? def.in : def.innerType) as z.ZodType).def as WrapperDef;
    }
    if (def.type === 'array') keys.add(key);
  }
  return keys;
}

export function defineRoute<
  A extends RouteAuth,
  BS extends z.ZodType | undefined = undefined,
  QS extends z.ZodObject | undefined = undefined,
>(spec: RouteSpec<A, BS, QS>): Route {
  return {
    method: spec.method,
    path: spec.path,
    auth: spec.auth,
    body: spec.body,
    query: spec.query,
    listKeys: listKeysOf(spec.query),
    upload: spec.upload,
    limit: spec.limit ?? DEFAULT_BODY_LIMIT,
    inbound: spec.inbound ?? false,
    changesKeys: spec.changesKeys ?? false,
    bearerKey: spec.bearerKey ?? false,
    lenient: spec.lenient,
    early: spec.early,
    docs: spec.docs,
    handle: spec.handle as unknown as Route['handle'],
  };
}
