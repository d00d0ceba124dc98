/**
 * Health probes (no auth), the inbox refresh that asks phones to re-send their
 * inbox through their webhooks (§4.4), and the routes this server does not offer
 * (`GET /inbox`, `GET /logs`, JWT tokens: 501, as SMSGate's server answers them).
 */
import type { ServerResponse } from 'node:http';
import type { RequestContext } from '../http/io.js';
import { badRequest, readJson, SmsGateHttpError, sendJson } from '../http/io.js';
import { objectBody, optionalBoolean, optionalDate, optionalString } from './check.js';
import type { UserApiContext } from './types.js';

export type Probe = 'live' | 'ready' | 'startup';

/** `{status, version, releaseId, checks}`; 503 when a check fails. `live` checks nothing. */
export async function health(ctx: UserApiContext, probe: Probe, res: ServerResponse) {
  const ready =
    probe === 'live' ? { status: 'pass' as const, checks: {} } : await ctx.gateway.readiness();
  sendJson(res, ready.status === 'fail' ? 503 : 200, {
    status: ready.status,
    version: ctx.version,
    releaseId: ctx.releaseId,
    checks: ready.checks,
  });
}

const MESSAGE_TYPES = ['SMS', 'DATA_SMS', 'MMS', 'MMS_DOWNLOADED'];
const DELIVERIES = ['Disabled', 'Individual'];

/** RFC 3339 without a fraction, as the app reads the export window. */
const seconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * `POST /inbox/refresh`, and the legacy exports (`legacy`: always SMS and
 * individual webhooks, `Deprecation: true`). 202; the phones do the work.
 */
export async function refreshInbox(
  ctx: UserApiContext,
  accountId: string,
  rc: RequestContext,
  legacy: boolean,
) {
  const body = objectBody(await readJson(rc.req, ctx.maxBodyBytes));
  const deviceId = optionalString(body, 'deviceId', 21);
  if (legacy && deviceId === null) throw badRequest('deviceId is required');
  const since = optionalDate(body, 'since');
  const until = optionalDate(body, 'until');
  if (since === null || until === null) throw badRequest('since and until are required');
  if (since > until) throw badRequest('since must not be after until');
  let types = ['SMS'];
  let delivery = 'Individual';
  if (!legacy) {
    const raw = body.messageTypes;
    if (raw !== undefined && raw !== null) {
      if (
        !Array.isArray(raw) ||
        raw.length > MESSAGE_TYPES.length ||
        raw.some((t) => typeof t !== 'string' || !MESSAGE_TYPES.includes(t))
      ) {
        throw badRequest(`messageTypes must be a list of ${MESSAGE_TYPES.join(', ')}`);
      }
      if (raw.length > 0) types = [...new Set(raw as string[])];
    }
    const asked = optionalString(body, 'webhookDelivery', 16);
    if (asked !== null && !DELIVERIES.includes(asked)) {
      throw badRequest(`webhookDelivery must be one of ${DELIVERIES.join(', ')} on this server`);
    }
    const trigger = optionalBoolean(body, 'triggerWebhooks');
    delivery = asked ?? (trigger === true ? 'Individual' : 'Disabled');
  }
  if (deviceId !== null) {
    const device = await ctx.link.store.getDevice(deviceId);
    if (!device || device.accountId !== accountId) throw badRequest('device not found');
  }
  ctx.link.tell(accountId, deviceId, 'MessagesExportRequested', {
    since: seconds(since),
    until: seconds(until),
    messageTypes: types.join(','),
    triggerWebhooks: delivery === 'Disabled' ? 'false' : 'true',
    webhookDelivery: delivery,
  });
  rc.res.writeHead(202, {
    'cache-control': 'no-store',
    ...(legacy ? { deprecation: 'true' } : {}),
  });
  rc.res.end();
}

export function notImplemented(message: string): never {
  throw new SmsGateHttpError(501, message);
}

export const NO_JWT = 'JWT tokens are not enabled on this server; use Basic authentication';
