import type { PhoneEventInput, Principal } from '@textport/core';
import { GatewayError } from '@textport/core';
import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import type { SmsSender } from '../src/client/index.js';
import {
  DisconnectedError,
  isRetryableReportError,
  PhoneRequestError,
} from '../src/client/index.js';
import { DEFAULT_REPORT_RETRY_POLICY, PendingReports } from '../src/client/reports.js';
import { accountWithPhone, CONTACT, gatewayNode, phoneClientOf } from './helpers.js';

/** What the gateway does with one report: throw, wait, or apply it (undefined). */
type Answer = (call: number, id: string, input: PhoneEventInput) => Promise<void> | undefined;

/** A phone whose reports the gateway answers as `answer` says; `calls` counts them by event. */
async function phoneWhoseReports(
  answer: Answer,
  options: { reportRetry?: { minDelayMs?: number; attempts?: number }; timeoutMs?: number } = {},
) {
  const calls: string[] = [];
  const node = await gatewayNode({
    host: (host) => ({
      ...host,
      phoneApi: {
        ...host.phoneApi,
        reportEvent: async (principal: Principal, id: string, input: PhoneEventInput) => {
          calls.push(`${input.event} ${id}`);
          await answer(calls.length, id, input);
          return host.phoneApi.reportEvent(principal, id, input);
        },
      },
    }),
  });
  const f = await accountWithPhone(node);
  const sender: SmsSender = { send: () => ({ ok: true }) };
  const client = phoneClientOf(node, f.phoneKey, sender, {
    reportRetry: { minDelayMs: 10, maxDelayMs: 50, ...options.reportRetry },
    requestTimeoutMs: options.timeoutMs ?? 5000,
  });
  const problems: string[] = [];
  client.on('problem', (_error, context) => problems.push(context));
  await client.connect();
  const send = (content: string) =>
    node.gateway.messages.send(f.account.id, { from: f.phone.phoneNumber, to: CONTACT, content });
  const status = async (id: string) => (await node.gateway.messages.get(f.account.id, id)).status;
  const settled = (id: string, expected: string) =>
    vi.waitFor(async () => expect(await status(id)).toBe(expected), WAIT);
  return { node, client, calls, problems, send, status, settled };
}

const storeDown = () => new GatewayError('store', 'the store is unavailable');

describe('PhoneClient: a report the server could not take', () => {
  it('sends a report again after retryable errors until the server takes it', async () => {
    const t = await phoneWhoseReports((call) => {
      if (call <= 2) throw call === 1 ? storeDown() : new GatewayError('internal', 'boom');
      return undefined;
    });
    const m = await t.send('sent despite a flaky store');
    await t.settled(m.id, 'sent');
    expect(t.calls).toEqual([`SENT ${m.id}`, `SENT ${m.id}`, `SENT ${m.id}`]);
    expect(t.problems).toEqual([`event SENT of ${m.id}`, `event SENT of ${m.id}`]);
  });

  it('sends again a report whose reply did not come in time', async () => {
    let timedOut = () => {};
    const late = new Promise<void>((resolve) => {
      timedOut = resolve;
    });
    const t = await phoneWhoseReports(
      async (call) => {
        // The first reply comes after the phone stopped waiting, and it is an error.
        if (call === 1) {
          await late;
          throw storeDown();
        }
      },
      { timeoutMs: 300 },
    );
    t.client.on('problem', (error) => {
      if (error instanceof DisconnectedError) timedOut();
    });
    const m = await t.send('a slow store');
    await t.settled(m.id, 'sent');
    expect(t.calls).toEqual([`SENT ${m.id}`, `SENT ${m.id}`]);
  });

  it('sends a report waiting for its next try as soon as the link is back', async () => {
    // A next try a minute away: only the reconnect can bring it sooner.
    const t = await phoneWhoseReports(
      (call) => {
        if (call === 1) throw storeDown();
        return undefined;
      },
      { reportRetry: { minDelayMs: 60_000 } },
    );
    const m = await t.send('reported after the reconnect');
    await vi.waitFor(() => expect(t.problems).toEqual([`event SENT of ${m.id}`]), WAIT);
    const connected = vi.fn();
    t.client.on('connected', connected);
    t.client.dropConnection();
    await vi.waitFor(() => expect(connected).toHaveBeenCalled(), WAIT);
    await t.settled(m.id, 'sent');
    expect(t.calls).toEqual([`SENT ${m.id}`, `SENT ${m.id}`]);
  });

  it('does not send again a report refused for good', async () => {
    const refused = new Set<string>();
    const t = await phoneWhoseReports((_call, id) => {
      if (refused.has(id)) throw GatewayError.notFound('gone');
      return undefined;
    });
    const a = await t.send('refused');
    refused.add(a.id);
    await vi.waitFor(() => expect(t.problems).toEqual([`event SENT of ${a.id}`]), WAIT);
    // A later message goes through after the refused report had every chance to be retried.
    const b = await t.send('taken');
    await t.settled(b.id, 'sent');
    expect(t.calls.filter((c) => c.endsWith(a.id))).toEqual([`SENT ${a.id}`]);
  });

  it('gives up after the configured number of tries', async () => {
    const t = await phoneWhoseReports(
      () => {
        throw new GatewayError('unavailable', 'no store');
      },
      { reportRetry: { attempts: 3 } },
    );
    const m = await t.send('never reported');
    await vi.waitFor(() => expect(t.problems).toContain(`event SENT of ${m.id} (given up)`), WAIT);
    expect(t.calls).toEqual([`SENT ${m.id}`, `SENT ${m.id}`, `SENT ${m.id}`]);
    expect(await t.status(m.id)).toBe('sending');
  });
});

describe('which report errors are retried', () => {
  const refused = (code: string) =>
    new PhoneRequestError({ v: 1, type: 'error', id: 'e1', code, message: code });

  it('retries server faults and lost replies, never the refusals', () => {
    for (const code of ['internal', 'store', 'unavailable']) {
      expect(isRetryableReportError(refused(code))).toBe(true);
    }
    expect(isRetryableReportError(new DisconnectedError('no reply in time'))).toBe(true);
    for (const code of ['not_found', 'validation', 'invalid_transition', 'forbidden', 'nonsense']) {
      expect(isRetryableReportError(refused(code))).toBe(false);
    }
    expect(isRetryableReportError(new Error('other'))).toBe(false);
  });
});

describe('the reports a phone owes', () => {
  const owing = (capacity: number) => {
    const sent: string[] = [];
    const dropped: string[] = [];
    const reports = new PendingReports(
      capacity,
      { ...DEFAULT_REPORT_RETRY_POLICY, minDelayMs: 1, maxDelayMs: 1 },
      {
        // Never answered: every report stays in flight.
        send: (id, event) => {
          sent.push(`${event} ${id}`);
          return new Promise(() => {});
        },
        gaveUp: (_error, context) => void dropped.push(context),
        closed: () => false,
        random: () => 0.5,
      },
    );
    return { reports, sent, dropped };
  };

  it('has one report in flight per message, in the order they were made', async () => {
    const { reports, sent } = owing(10);
    reports.report('m1', 'SENT');
    reports.report('m1', 'SENT');
    reports.report('m1', 'DELIVERED');
    await Promise.resolve();
    expect(sent).toEqual(['SENT m1']);
    expect(reports.size).toBe(2);
  });

  it('keeps the reports of at most `capacity` messages, dropping the oldest', () => {
    const { reports, dropped } = owing(2);
    for (const id of ['m1', 'm2', 'm3']) reports.report(id, 'SENT');
    expect(reports.size).toBe(2);
    expect(dropped).toEqual(['reports of m1']);
  });
});
