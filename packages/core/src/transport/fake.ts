/**
 * A transport for tests and demos: records what it is handed, can fail on demand
 * (a whole batch or one message), reaches the phones it is told are connected (or
 * every phone), and records the cancellations the gateway announces.
 */
import type { MessageRecord, PhoneRecord } from '../domain/records.js';
import type { NotifyOutcome, Reach, Transport, TransportHost } from '../transport.js';
import { HANDED_OFF, TransportError } from '../transport.js';

export interface FakeHandoff {
  phoneId: string;
  messageIds: string[];
}

export interface FakeTransportOptions {
  name?: string;
  /** Phone ids it reaches; `'all'` (default) reaches every phone. */
  phones?: readonly string[] | 'all';
}

export class FakeTransport implements Transport {
  readonly name: string;
  readonly handoffs: FakeHandoff[] = [];
  readonly heartbeatRequests: string[] = [];
  /** Ids of the messages the gateway announced as canceled (`message.api.canceled`). */
  readonly cancels: string[] = [];
  host: TransportHost | undefined;
  private connected: Set<string> | 'all';
  private failures: TransportError[] = [];
  private readonly messageFailures = new Map<string, TransportError>();
  private unsubscribe: (() => void) | undefined;
  private reachable: Reach | undefined;

  constructor(options: FakeTransportOptions = {}) {
    this.name = options.name ?? 'fake';
    this.connected =
      options.phones === undefined || options.phones === 'all' ? 'all' : new Set(options.phones);
  }

  async start(host: TransportHost): Promise<void> {
    this.host = host;
    this.unsubscribe = host.subscribe('message.api.canceled', (event) => {
      this.cancels.push(event.data.id);
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.host = undefined;
  }

  /** Kept until a phone connects or disconnects, as the `Reach` contract asks. */
  reach(): Reach {
    if (this.reachable) return this.reachable;
    const connected = this.connected === 'all' ? 'all' : new Set(this.connected);
    this.reachable = {
      phoneIds: connected === 'all' ? 'any' : [...connected],
      has: (phone) => connected === 'all' || connected.has(phone.id),
    };
    return this.reachable;
  }

  /** Marks a phone connected (and wakes the dispatcher) or disconnected. */
  setConnected(phoneId: string, connected: boolean): void {
    this.reachable = undefined;
    if (this.connected === 'all') this.connected = new Set();
    if (connected) this.connected.add(phoneId);
    else this.connected.delete(phoneId);
    if (connected) this.host?.wake();
  }

  /** The next `notify` calls reject with these errors, in order (whole batches). */
  failNext(...errors: TransportError[]): void {
    this.failures.push(...errors);
  }

  /** The next hand-off of this message fails with `error`; the rest of its batch goes out. */
  failMessage(messageId: string, error: TransportError): void {
    this.messageFailures.set(messageId, error);
  }

  async notify(
    phone: PhoneRecord,
    messages: readonly MessageRecord[],
  ): Promise<readonly NotifyOutcome[]> {
    if (!this.reach().has(phone)) {
      throw new TransportError(`phone [${phone.phoneNumber}] is not connected`, {
        retryable: true,
      });
    }
    const failure = this.failures.shift();
    if (failure) throw failure;
    const outcomes: NotifyOutcome[] = [];
    const sent: string[] = [];
    for (const message of messages) {
      const error = this.messageFailures.get(message.id);
      this.messageFailures.delete(message.id);
      if (error) outcomes.push({ ok: false, error });
      else {
        sent.push(message.id);
        outcomes.push(HANDED_OFF);
      }
    }
    if (sent.length > 0) this.handoffs.push({ phoneId: phone.id, messageIds: sent });
    return outcomes;
  }

  async requestHeartbeat(phone: PhoneRecord): Promise<void> {
    this.heartbeatRequests.push(phone.id);
  }

  /** Every message id handed off, in order. */
  handedOff(): string[] {
    return this.handoffs.flatMap((h) => h.messageIds);
  }
}
