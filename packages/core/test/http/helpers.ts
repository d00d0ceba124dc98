import type { HttpApiOptions, HttpRequest } from '../../src/http/index.js';
import { createHttpApi } from '../../src/http/index.js';
import { setup } from '../gateway/helpers.js';

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  query?: HttpRequest['query'];
}

/** A gateway (memory store, manual clock, one account and phone) behind the core HTTP API. */
export async function httpSetup(options: HttpApiOptions = {}) {
  const t = await setup();
  const api = createHttpApi(t.gateway, options);
  async function call(method: string, path: string, o: CallOptions = {}) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...o.headers };
    const key = o.key === undefined ? t.apiKey : o.key;
    if (key !== null) headers['x-api-key'] = key;
    const body =
      o.body === undefined
        ? undefined
        : Buffer.from(typeof o.body === 'string' ? o.body : JSON.stringify(o.body));
    const response = await api.handle({ method, path, query: o.query, headers, body });
    const text =
      response?.body === undefined
        ? ''
        : typeof response.body === 'string'
          ? response.body
          : Buffer.from(response.body).toString('utf8');
    const isJson = response?.headers['content-type']?.startsWith('application/json') ?? false;
    return {
      status: response?.status ?? 0,
      headers: response?.headers ?? {},
      text,
      // biome-ignore lint/suspicious/noExplicitAny: test access to arbitrary JSON
      json: (isJson && text !== '' ? JSON.parse(text) : undefined) as any,
      matched: response !== null,
    };
  }
  return { ...t, api, call };
}
