/**
 * Hostile requests about who is asking: no key, a garbage, revoked or mangled key,
 * a key in the wrong place; and a valid key of one account acting on the other
 * account's ids and numbers.
 */
import fc from 'fast-check';
import { plausibleBody } from '../bodies.js';
import type { Kit } from '../kit.js';
import { type Headers, type Hostile, jsonBytes, queryString } from '../request.js';
import { fill, ROUTES } from '../routes.js';
import { CONTACTS } from '../world.js';

/** No key, a garbage, revoked or mangled key, a key in the wrong place. */
export function noKey(kit: Kit): fc.Arbitrary<Hostile> {
  const { sides, via, badCredentials, anyPayload, idsFor } = kit;
  return fc
    .tuple(sides, fc.constantFrom(...ROUTES), via)
    .chain(([[me], route, v]) =>
      fc.tuple(
        fc.constant(route),
        fc.constant(v),
        badCredentials(route.auth, route.bearer),
        idsFor(route),
        anyPayload(route, me),
      ),
    )
    .map(
      ([route, v, creds, ids, body]): Hostile => ({
        family: 'no or wrong key',
        via: v,
        method: route.method,
        path: fill(route.path, ids),
        query: creds.query.length > 0 ? creds.query.join('&') : undefined,
        headers: { ...body.headers, ...creds.headers },
        payload: body.payload,
        expect: [401],
      }),
    );
}

/** A valid key of one account acting on the other account's ids and numbers. */
export function otherAccount(kit: Kit): fc.Arbitrary<Hostile> {
  const { sides, specOf, via, json } = kit;
  return fc
    .tuple(sides, via, fc.boolean(), fc.boolean(), fc.nat(2))
    .chain(([[me, other], v, inQuery, usePhone, pick]) => {
      const user: { headers: Headers; query: string[] } = inQuery
        ? { headers: {}, query: [`x-api-key=${me.userKey}`] }
        : { headers: { 'x-api-key': me.userKey }, query: [] };
      const phone = { headers: { 'x-api-key': me.phoneKey } as Headers, query: [] as string[] };
      const userOrPhone = usePhone && !inQuery ? phone : user;
      const notTheirs = [other.phoneKey, other.spareKey, me.spareKey][pick] ?? me.spareKey;
      const theirMessage = fc.constantFrom(...other.messageIds);
      const theirThread = fc.constantFrom(...other.threadIds);
      const theirPhone = fc.constantFrom(...other.phoneIds);
      const theirNumber = fc.constantFrom(...other.numbers);
      const spec = (key: string) => specOf(me, key);
      type Case = {
        method: string;
        path: string;
        auth?: { headers: Headers; query: string[] };
        params?: (readonly [string, string])[];
        body?: unknown;
        expect: number[];
        empty?: boolean;
      };
      const c = (a: fc.Arbitrary<Case>) => a;
      const cases: fc.Arbitrary<Case>[] = [
        c(theirMessage.map((id) => ({ method: 'GET', path: `/v1/messages/${id}`, expect: [404] }))),
        c(
          theirMessage.map((id) => ({
            method: 'DELETE',
            path: `/v1/messages/${id}`,
            expect: [404],
          })),
        ),
        c(
          theirMessage.map((id) => ({
            method: 'POST',
            path: `/v1/messages/${id}/cancel`,
            expect: [404],
          })),
        ),
        c(
          fc
            .tuple(theirMessage, plausibleBody(spec('POST /v1/messages/{messageID}/events')))
            .map(([id, body]) => ({
              method: 'POST',
              path: `/v1/messages/${id}/events`,
              auth: userOrPhone,
              body,
              expect: [404],
            })),
        ),
        c(
          theirMessage.map((id) => ({
            method: 'GET',
            path: '/v1/messages/outstanding',
            auth: userOrPhone,
            params: [['message_id', id]],
            expect: [404],
          })),
        ),
        c(
          fc
            .tuple(theirThread, plausibleBody(spec('PUT /v1/message-threads/{messageThreadID}')))
            .map(([id, body]) => ({
              method: 'PUT',
              path: `/v1/message-threads/${id}`,
              body: { is_archived: true, ...body },
              expect: [404],
            })),
        ),
        c(
          theirThread.map((id) => ({
            method: 'DELETE',
            path: `/v1/message-threads/${id}`,
            expect: [404],
          })),
        ),
        c(
          plausibleBody(spec('PUT /v1/webhooks/{webhookID}')).map((body) => ({
            method: 'PUT',
            path: `/v1/webhooks/${other.webhookId}`,
            body,
            expect: [404],
          })),
        ),
        c(
          fc.constant({ method: 'DELETE', path: `/v1/webhooks/${other.webhookId}`, expect: [404] }),
        ),
        c(theirPhone.map((id) => ({ method: 'DELETE', path: `/v1/phones/${id}`, expect: [404] }))),
        c(
          fc.constantFrom(other.phoneKeyId, other.spareKeyId).map((id) => ({
            method: 'DELETE',
            path: `/v1/phone-api-keys/${id}`,
            expect: [404],
          })),
        ),
        c(
          fc
            .tuple(
              fc.constantFrom(other.phoneKeyId, other.spareKeyId),
              fc.constantFrom(...other.phoneIds, ...me.phoneIds),
            )
            .map(([key, phone]) => ({
              method: 'DELETE',
              path: `/v1/phone-api-keys/${key}/phones/${phone}`,
              expect: [404],
            })),
        ),
        c(
          fc
            .tuple(
              fc.constantFrom(me.phoneKeyId, me.spareKeyId),
              fc.oneof(theirPhone, fc.uuid({ version: 4 })),
            )
            .map(([key, phone]) => ({
              method: 'DELETE',
              path: `/v1/phone-api-keys/${key}/phones/${phone}`,
              expect: [404],
            })),
        ),
        c(fc.constant({ method: 'DELETE', path: `/v1/users/${other.id}/api-keys`, expect: [401] })),
        c(
          plausibleBody(spec('PUT /v1/users/{userID}/notifications')).map((body) => ({
            method: 'PUT',
            path: `/v1/users/${other.id}/notifications`,
            body,
            expect: [401],
          })),
        ),
        c(
          plausibleBody(spec('PUT /v1/send-schedules/{scheduleID}')).map((body) => ({
            method: 'PUT',
            path: `/v1/send-schedules/${other.scheduleId}`,
            body,
            expect: [404],
          })),
        ),
        c(
          fc.constant({
            method: 'DELETE',
            path: `/v1/send-schedules/${other.scheduleId}`,
            expect: [404],
          }),
        ),
        c(
          fc
            .tuple(
              theirPhone,
              fc.option(fc.constantFrom('Europe/Berlin', 'UTC'), { nil: undefined }),
            )
            .map(([id, tz]) => ({
              method: 'PUT',
              path: '/v1/users/me',
              body: { active_phone_id: id, ...(tz ? { timezone: tz } : {}) },
              expect: [422],
            })),
        ),
        c(
          plausibleBody(spec('PUT /v1/phones')).map((body) => ({
            method: 'PUT',
            path: '/v1/phones',
            body: { ...body, message_send_schedule_id: other.scheduleId },
            expect: [422],
          })),
        ),
        c(
          fc
            .tuple(plausibleBody(spec('POST /v1/messages/send')), theirNumber)
            .map(([body, from]) => ({
              method: 'POST',
              path: '/v1/messages/send',
              body: { ...body, from },
              expect: [422],
            })),
        ),
        c(
          fc
            .tuple(plausibleBody(spec('POST /v1/messages/bulk-send')), theirNumber)
            .map(([body, from]) => ({
              method: 'POST',
              path: '/v1/messages/bulk-send',
              body: { ...body, from },
              expect: [422],
            })),
        ),
        c(
          fc
            .tuple(
              plausibleBody(spec('POST /v1/webhooks')),
              theirNumber,
              fc.constantFrom('POST', 'PUT'),
            )
            .map(([body, number, method]) => ({
              method,
              path: method === 'POST' ? '/v1/webhooks' : `/v1/webhooks/${me.webhookId}`,
              body: { ...body, phone_numbers: [number] },
              expect: [422],
            })),
        ),
        c(
          fc
            .tuple(plausibleBody(spec('POST /v1/messages/receive')), theirNumber)
            .map(([body, to]) => ({
              method: 'POST',
              path: '/v1/messages/receive',
              auth: phone,
              body: { ...body, to },
              expect: [401],
            })),
        ),
        c(
          fc
            .tuple(plausibleBody(spec('POST /v1/messages/calls/missed')), theirNumber)
            .map(([body, to]) => ({
              method: 'POST',
              path: '/v1/messages/calls/missed',
              auth: phone,
              body: { ...body, to },
              expect: [401],
            })),
        ),
        c(
          fc.tuple(theirNumber, fc.boolean()).map(([number, both]) => ({
            method: 'POST',
            path: '/v1/heartbeats',
            auth: phone,
            body: { phone_numbers: both ? [me.numbers[0], number] : [number], charging: both },
            expect: [401],
          })),
        ),
        // A phone key bound to no phone, for the account's own message; the other account's phone key for it.
        c(
          fc
            .tuple(
              fc.constantFrom(...me.messageIds),
              plausibleBody(spec('POST /v1/messages/{messageID}/events')),
            )
            .map(([id, body]) => ({
              method: 'POST',
              path: `/v1/messages/${id}/events`,
              auth: { headers: { 'x-api-key': me.spareKey }, query: [] },
              body,
              expect: [401],
            })),
        ),
        c(
          fc
            .tuple(
              fc.constantFrom(...me.messageIds),
              plausibleBody(spec('POST /v1/messages/{messageID}/events')),
            )
            .map(([id, body]) => ({
              method: 'POST',
              path: `/v1/messages/${id}/events`,
              auth: { headers: { 'x-api-key': other.phoneKey }, query: [] },
              body,
              expect: [404],
            })),
        ),
        c(
          fc.constantFrom(...me.messageIds).map((id) => ({
            method: 'GET',
            path: '/v1/messages/outstanding',
            auth: { headers: { 'x-api-key': notTheirs }, query: [] },
            params: [['message_id', id]],
            expect: [404],
          })),
        ),
        // Reads naming the other account's numbers and ids answer no rows.
        c(
          fc.tuple(theirNumber, fc.constantFrom(...CONTACTS)).map(([owner, contact]) => ({
            method: 'GET',
            path: '/v1/messages',
            params: [
              ['owner', owner],
              ['contact', contact],
            ],
            expect: [200],
            empty: true,
          })),
        ),
        c(
          theirNumber.map((owner) => ({
            method: 'GET',
            path: '/v1/heartbeats',
            params: [
              ['owner', owner],
              ['limit', '100'],
            ],
            expect: [200],
            empty: true,
          })),
        ),
        c(
          fc.tuple(theirNumber, fc.constantFrom('true', 'false')).map(([owner, archived]) => ({
            method: 'GET',
            path: '/v1/message-threads',
            params: [
              ['owner', owner],
              ['is_archived', archived],
            ],
            expect: [200],
            empty: true,
          })),
        ),
        c(
          fc.tuple(theirNumber, theirMessage).map(([owner, id]) => ({
            method: 'GET',
            path: '/v1/messages/search',
            params: [
              ['owners', owner],
              ['query', id],
            ],
            expect: [200],
            empty: true,
          })),
        ),
        c(
          fc.constant({
            method: 'GET',
            path: `/v1/attachments/${other.id}/${other.receivedId}/0/attachment-0.png`,
            auth: { headers: {}, query: [] },
            expect: [404],
          }),
        ),
      ];
      return fc.tuple(fc.oneof(...cases), fc.constant(v), fc.constant(user));
    })
    .map(([kase, v, user]): Hostile => {
      const auth = kase.auth ?? user;
      const query = queryString(kase.params ?? [], auth.query);
      return {
        family: 'other account',
        via: v,
        method: kase.method,
        path: kase.path,
        query: query === '' ? undefined : query,
        headers: { ...(kase.body === undefined ? {} : json), ...auth.headers },
        payload:
          kase.body === undefined
            ? { kind: 'none' }
            : { kind: 'bytes', data: jsonBytes(kase.body) },
        expect: kase.expect,
        ...(kase.empty ? { empty: true } : {}),
      };
    });
}
