/**
 * The Transport conformance suite: what every way of reaching phones must do.
 * The harness connects and disconnects phones and reports what the phone side saw,
 * so the same checks run for a fake, a WebSocket or an FCM transport.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MessageRecord, PhoneRecord } from '../domain/records.js';
import type { Transport } from '../transport.js';
import { isRetryable } from '../transport.js';
import { makeMessage, makePhone } from './fixtures.js';

export interface TransportHarness {
  transport: Transport;
  /** Makes the phone reachable (open a socket, register a token); returns its current record. */
  connect(phone: PhoneRecord): Promise<PhoneRecord>;
  /** Makes it unreachable again; returns its current record. */
  disconnect(phone: PhoneRecord): Promise<PhoneRecord>;
  /** Message ids the phone side was handed (or woken for), in arrival order. */
  received(phone: PhoneRecord): Promise<string[]>;
  /** How many heartbeat requests the phone side got. */
  heartbeatRequests(phone: PhoneRecord): Promise<number>;
  close?(): Promise<void>;
}

export interface TransportConformanceOptions {
  name: string;
  createHarness(): Promise<TransportHarness>;
  skip?: string | false;
}

function reaches(transport: Transport, phone: PhoneRecord): boolean {
  const phones = transport.reachablePhones();
  return transport.canReach(phone) && (phones === 'all' || phones.includes(phone.id));
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

export function runTransportConformance(options: TransportConformanceOptions): void {
  const reason = typeof options.skip === 'string' ? options.skip : null;
  const title = reason === null ? options.name : `${options.name} (skipped: ${reason})`;
  describe.skipIf(reason !== null)(`transport conformance: ${title}`, () => {
    let harness: TransportHarness;
    const wakes: number[] = [];
    beforeAll(async () => {
      harness = await options.createHarness();
      await harness.transport.start({ wake: () => void wakes.push(Date.now()) });
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

    it('hands messages to the phone in order', async () => {
      const phone = await harness.connect(makePhone());
      const messages = messagesFor(phone, 3);
      await harness.transport.notify(phone, messages);
      await vi.waitFor(async () => {
        expect(await harness.received(phone)).toEqual(messages.map((m) => m.id));
      });
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
      });
    });

    it('asks the phone for a heartbeat', async () => {
      const phone = await harness.connect(makePhone());
      const before = await harness.heartbeatRequests(phone);
      await harness.transport.requestHeartbeat(phone);
      await vi.waitFor(async () => {
        expect(await harness.heartbeatRequests(phone)).toBe(before + 1);
      });
    });

    it('no longer reaches a disconnected phone, and refuses to notify it with a TransportError', async () => {
      const connected = await harness.connect(makePhone());
      const phone = await harness.disconnect(connected);
      expect(reaches(harness.transport, phone)).toBe(false);
      const error = await harness.transport.notify(phone, messagesFor(phone, 1)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, 'notify to an unreachable phone must reject').not.toBeNull();
      expect(error).toMatchObject({ name: 'GatewayError', code: 'transport' });
      expect(typeof isRetryable(error)).toBe('boolean');
    });
  });
}
