/**
 * A WebSocket phone in the test process (it outlives every server crash) that
 * logs every push and every hand-off it is given.
 */
import type { WireMessage } from '@textport/core';
import { PhoneClient } from '@textport/transport-websocket/client';
import { PHONE_KEY } from './node.js';

export interface Push {
  id: string;
  attempt: number;
  /** Which connection of the phone received it (1 = the first). */
  session: number;
  /** Milliseconds since that connection's welcome. */
  sinceWelcomeMs: number;
}

export interface Handoff {
  id: string;
  /** `send_attempt_count` of the message the ack answered with. */
  attempt: number;
  phone: string;
  /** When the phone was handed it (Date.now() in the test process). */
  at: number;
  /** First pushed on an earlier connection: pushed again on resume after a crash. */
  resumed: boolean;
}

/**
 * A WebSocket phone in the test process, so it outlives every server crash. It
 * logs every `message` push before any dedupe, and every hand-off: a message
 * whose ack the server answered with the message, which the phone then "sends"
 * and reports SENT and DELIVERED like a real phone.
 *
 * It remembers a single acked id (`dedupeSize: 1`) instead of the default
 * 10,000, like a phone app that restarted: every repeated push is acked again,
 * so the server's ack guard alone must keep one attempt from being handed off
 * twice.
 */
export class LoggingPhone {
  readonly client: PhoneClient;
  readonly pushes: Push[] = [];
  readonly handoffs: Handoff[] = [];
  readonly problems = new Map<string, number>();
  sessions = 0;
  private welcomedAt = 0;

  constructor(
    readonly phoneNumber: string,
    url: string,
  ) {
    this.client = new PhoneClient({
      url,
      apiKey: PHONE_KEY,
      phoneNumbers: [phoneNumber],
      register: true,
      dedupeSize: 1,
      // The default backoff (0.5 s doubling, reset after each welcome) works as well;
      // a shorter cap keeps a run with many restarts short.
      reconnect: { minDelayMs: 100, maxDelayMs: 1000 },
      sender: {
        send: (sms, report) => {
          this.handoffs.push({
            id: sms.id,
            attempt: sms.message.send_attempt_count,
            phone: phoneNumber,
            at: Date.now(),
            resumed: this.pushes.some(
              (p) =>
                p.id === sms.id &&
                p.attempt === sms.message.send_attempt_count &&
                p.session < this.sessions,
            ),
          });
          report.delivered();
          return { ok: true };
        },
      },
    });
    this.client.on('connected', () => {
      this.sessions += 1;
      this.welcomedAt = Date.now();
    });
    this.client.on('push', (message: WireMessage) => {
      this.pushes.push({
        id: message.id,
        attempt: message.send_attempt_count,
        session: this.sessions,
        sinceWelcomeMs: Date.now() - this.welcomedAt,
      });
    });
    this.client.on('problem', (error, context) => {
      const kind = `${context.split(' ')[0]}: ${error.message.replace(/\[[^\]]*\]/g, '[…]')}`;
      this.problems.set(kind, (this.problems.get(kind) ?? 0) + 1);
    });
  }

  connect(): Promise<unknown> {
    return this.client.connect();
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
