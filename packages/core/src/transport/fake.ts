/**
 * A transport for tests and demos: records what it is handed, can fail on demand,
 * and reaches the phones it is told are connected (or every phone).
 */
import type { MessageRecord, PhoneRecord } from '../domain/records.js';
import type { Transport, TransportHost } from '../transport.js';
import { TransportError } from '../transport.js';

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
  readonly cancels: string[] = [];
  host: TransportHost | undefined;
  private connected: Set<string> | 'all';
  private failures: TransportError[] = [];

  constructor(options: FakeTransportOptions = {}) {
    this.name = options.name ?? 'fake';
    this.connected =
      options.phones === undefined || options.phones === 'all' ? 'all' : new Set(options.phones);
  }

  async start(host: TransportHost): Promise<void> {
    this.host = host;
  }

  async stop(): Promise<void> {
    this.host = undefined;
  }

  reachablePhones(): readonly string[] | 'all' {
    return this.connected === 'all' ? 'all' : [...this.connected];
  }

  canReach(phone: PhoneRecord): boolean {
    return this.connected === 'all' || this.connected.has(phone.id);
  }

  /** Marks a phone connected (and wakes the dispatcher) or disconnected. */
  setConnected(phoneId: string, connected: boolean): void {
    if (this.connected === 'all') this.connected = new Set();
    if (connected) this.connected.add(phoneId);
    else this.connected.delete(phoneId);
    if (connected) this.host?.wake();
  }

  /** The next `notify` calls throw these errors, in order. */
  failNext(...errors: TransportError[]): void {
    this.failures.push(...errors);
  }

  async notify(phone: PhoneRecord, messages: readonly MessageRecord[]): Promise<void> {
    if (!this.canReach(phone)) {
      throw new TransportError(`phone [${phone.phoneNumber}] is not connected`, {
        retryable: true,
      });
    }
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.handoffs.push({ phoneId: phone.id, messageIds: messages.map((m) => m.id) });
  }

  async requestHeartbeat(phone: PhoneRecord): Promise<void> {
    this.heartbeatRequests.push(phone.id);
  }

  async cancel(_phone: PhoneRecord, message: MessageRecord): Promise<void> {
    this.cancels.push(message.id);
  }

  /** Every message id handed off, in order. */
  handedOff(): string[] {
    return this.handoffs.flatMap((h) => h.messageIds);
  }
}
