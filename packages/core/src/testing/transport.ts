/**
 * The Transport conformance suite: what every way of reaching phones must do.
 * The harness connects and disconnects phones and reports what the phone side saw,
 * so the same checks run for a fake, a WebSocket or an FCM transport. The suite
 * starts the transport with the harness's host, wrapped so it can count wake-ups
 * and announce gateway events.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MessageRecord, PhoneRecord } from '../domain/records.js';
import type { GatewayEventType } from '../events/events.js';
import type { NotifyOutcome, Reach, Transport, TransportHost } from '../transport.js';
import { isRetryable } from '../transport.js';
import { makeMessage, makePhone } from './fixtures.js';

export interface TransportHarness {
  transport: Transport;
  /** The host to start the transport with, e.g. a gateway's `transportHost`. */
  host: TransportHost;
  /** Makes the phone reachable (open a socket, register a token); returns its current record. */
  connect(phone: PhoneRecord): Promise<PhoneRecord>;
  /** Makes it unreachable again; returns its current record. */
  disconnect(phone: PhoneRecord): Promise<PhoneRecord>;
  /** Message ids the phone side was handed (or woken for), in arrival order. */
  received(phone: PhoneRecord): Promise<string[]>;
  /** How many heartbeat requests the phone side got. */
  heartbeatRequests(phone: PhoneRecord): Promise<number>;
  /**
   * Message ids the phone side was told were canceled. Leave out for a channel
   * with no such notice (FCM): the suite then checks only that the announcement
   * is taken without error.
   */
  canceled?(phone: PhoneRecord): Promise<string[]>;
  close?(): Promise<void>;
}

export interface TransportConformanceOptions {
  name: string;
  createHarness(): Promise<TransportHarness>;
  /**
   * Whether the error of a notify to a phone this transport cannot reach is
   * retryable: true where the phone may come back on its own (a socket or stream
   * to reopen), false where only the phone can repair it (no push token).
   */
  unreachableRetryable: boolean;
  skip?: string | false;
}

/**
 * `vi.waitFor` options for everything the suite waits on: generous for a loaded
 * machine, and not a multiple of any poll interval, so a wait passes because the
 * awaited thing happened, not because a poll came round.
 */
export const WAIT = Object.freeze({ timeout: 5_000, interval: 10 });

type Listener = (event: never) => void;

/** The harness's host, counting wake-ups, with every phone holding due work. */
class WatchedHost {
  /** What the transport reached at each wake-up, in order. */
  readonly wakes: Reach[] = [];
  transport: Transport | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();
  readonly host: TransportHost;

  constructor(inner: TransportHost) {
    this.host = {
      ...inner,
      wake: () => {
        if (this.transport) this.wakes.push(this.transport.reach());
        inner.wake();
      },
      subscribe: (type, listener) => {
        const set = this.listeners.get(type) ?? new Set();
        this.listeners.set(type, set);
        set.add(listener as Listener);
        const off = inner.subscribe(type, listener);
        return () => {
          set.delete(listener as Listener);
          off();
        };
      },
      lookups: { ...inner.lookups, hasDueWork: async () => true },
    };
  }

  /** Calls the transport's listeners of `type`; returns how many there were. */
  announce(type: GatewayEventType, event: unknown): number {
    const set = this.listeners.get(type) ?? new Set();
    for (const listener of set) listener(event as never);
    return set.size;
  }
}

function reaches(transport: Transport | Reach, phone: PhoneRecord): boolean {
  const reach = 'reach' in transport ? transport.reach() : transport;
  return reach.has(phone) && (reach.phoneIds === 'any' || reach.phoneIds.includes(phone.id));
}

function messagesFor(phone: PhoneRecord, count: number): MessageRecord[] {
  return Array.from({ length: count }, (_, i) =>
    makeMessage({
      accountId: phone.accountId,
      phoneId: phone.id,
      owner: phone.phoneNumber,
      content: `m${i}`,
    }),
  );
}

/** The error of a notify that must fail: a rejection, or every outcome failed. */
async function notifyFailure(
  transport: Transport,
  phone: PhoneRecord,
  messages: MessageRecord[],
): Promise<unknown[]> {
  let outcomes: readonly NotifyOutcome[];
  try {
    outcomes = await transport.notify(phone, messages);
  } catch (error) {
    return [error];
  }
  return outcomes.map((o) => (o.ok ? null : o.error));
}

export function runTransportConformance(options: TransportConformanceOptions): void {
  const reason = typeof options.skip === 'string' ? options.skip : null;
  const title = reason === null ? options.name : `${options.name} (skipped: ${reason})`;
  describe.skipIf(reason !== null)(`transport conformance: ${title}`, () => {
    let harness: TransportHarness;
    let watched: WatchedHost;
    beforeAll(async () => {
      harness = await options.createHarness();
      watched = new WatchedHost(harness.host);
      watched.transport = harness.transport;
      await harness.transport.start(watched.host);
    });
    afterAll(async () => {
      await harness?.transport.stop();
      await harness?.close?.();
    });

    it('has a name and reaches a connected phone', async () => {
      expect(harness.transport.name).toMatch(/\S/);
      const phone = await harness.connect(makePhone());
      expect(reaches(harness.transport, phone)).toBe(true);
    });

    it('wakes the host when a phone with due work becomes reachable, once it reaches the phone', async () => {
      const before = watched.wakes.length;
      const phone = await harness.connect(makePhone());
      // A wake-up before the phone is reachable finds nothing to hand it: the
      // backlog would wait for the dispatcher's safety poll.
      await vi.waitFor(() => {
        const after = watched.wakes.slice(before);
        expect(after.some((reach) => reaches(reach, phone))).toBe(true);
      }, WAIT);
    });

    it('hands messages to the phone in order, with one outcome each', async () => {
      const phone = await harness.connect(makePhone());
      const messages = messagesFor(phone, 3);
      const outcomes = await harness.transport.notify(phone, messages);
      expect(outcomes).toEqual(messages.map(() => ({ ok: true })));
      await vi.waitFor(async () => {
        expect(await harness.received(phone)).toEqual(messages.map((m) => m.id));
      }, WAIT);
    });

    it('takes an empty batch: no outcome, nothing reaches the phone', async () => {
      const phone = await harness.connect(makePhone());
      expect(await harness.transport.notify(phone, [])).toEqual([]);
      const [m] = messagesFor(phone, 1);
      await harness.transport.notify(phone, m ? [m] : []);
      await vi.waitFor(async () => expect(await harness.received(phone)).toEqual([m?.id]), WAIT);
    });

    it('delivers each phone its own messages only', async () => {
      const a = await harness.connect(makePhone());
      const b = await harness.connect(makePhone());
      const [ma] = messagesFor(a, 1);
      const [mb] = messagesFor(b, 1);
      await Promise.all([
        harness.transport.notify(a, ma ? [ma] : []),
        harness.transport.notify(b, mb ? [mb] : []),
      ]);
      await vi.waitFor(async () => {
        expect(await harness.received(a)).toEqual([ma?.id]);
        expect(await harness.received(b)).toEqual([mb?.id]);
      }, WAIT);
    });

    it('asks the phone for a heartbeat', async () => {
      const phone = await harness.connect(makePhone());
      const before = await harness.heartbeatRequests(phone);
      await harness.transport.requestHeartbeat(phone);
      await vi.waitFor(async () => {
        expect(await harness.heartbeatRequests(phone)).toBe(before + 1);
      }, WAIT);
    });

    it('takes the announcement of a canceled message (and tells the phone, where it can)', async () => {
      const phone = await harness.connect(makePhone());
      const [m] = messagesFor(phone, 1);
      if (!m) throw new Error('no message');
      await harness.transport.notify(phone, [m]);
      const event = {
        id: `event-${m.id}`,
        type: 'message.api.canceled',
        source: '/v1/messages',
        time: Date.now(),
        accountId: phone.accountId,
        owner: phone.phoneNumber,
        data: { id: m.id, owner: phone.phoneNumber, contact: m.contact },
      };
      const listeners = watched.announce('message.api.canceled', event);
      const canceled = harness.canceled;
      if (canceled) {
        expect(listeners, 'the transport listens to message.api.canceled').toBeGreaterThan(0);
        await vi.waitFor(async () => expect(await canceled(phone)).toEqual([m.id]), WAIT);
      }
      expect(reaches(harness.transport, phone)).toBe(true);
    });

    it('no longer reaches a disconnected phone, and fails a notify to it with a TransportError', async () => {
      const connected = await harness.connect(makePhone());
      const phone = await harness.disconnect(connected);
      expect(reaches(harness.transport, phone)).toBe(false);
      const errors = await notifyFailure(harness.transport, phone, messagesFor(phone, 1));
      expect(errors.length).toBeGreaterThan(0);
      for (const error of errors) {
        expect(error, 'notify to an unreachable phone must fail').not.toBeNull();
        expect(error).toMatchObject({ name: 'GatewayError', code: 'transport' });
        expect(isRetryable(error), 'retryable').toBe(options.unreachableRetryable);
      }
    });

    it('stops, starts again and serves phones as before', async () => {
      await harness.transport.stop();
      await harness.transport.start(watched.host);
      const phone = await harness.connect(makePhone());
      expect(reaches(harness.transport, phone)).toBe(true);
      const [m] = messagesFor(phone, 1);
      expect(await harness.transport.notify(phone, m ? [m] : [])).toEqual([{ ok: true }]);
      await vi.waitFor(async () => expect(await harness.received(phone)).toEqual([m?.id]), WAIT);
    });
  });
}
