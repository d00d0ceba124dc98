/**
 * `PhoneClient`: what a phone (or a simulator) runs to serve a textport gateway
 * over WebSocket. It acks each pushed message (which moves it to `sending`),
 * hands it to an `SmsSender` once, and reports SENT, DELIVERED or FAILED; it
 * sends heartbeats on an interval and on request, and reports incoming SMS and
 * missed calls. An ack a lost link left unanswered is sent again after the reconnect,
 * before the `resume`, so what the phone holds is not pushed again. Duplicates are dropped
 * by id; with a persistent `journal`, a message pushed again after a restart is not sent again.
 */
import { EventEmitter } from 'node:events';
import type { RetryPolicy, WireHeartbeat, WireMessage } from '@textport/core';
import { decrypt } from '@textport/core';
import type { ResultData, WelcomeFrame } from '../protocol.js';
import { BoundedSet } from './bounded-set.js';
import type { RadioStatus } from './drivers/driver.js';
import type { JournalEntry, SendJournal } from './journal.js';
import { MemoryJournal } from './journal.js';
import type { DisconnectInfo } from './link.js';
import { PhoneLink, type PhoneTlsOptions } from './link.js';

/** An outgoing SMS as the phone's radio needs it: decrypted, addressed. */
export interface OutgoingSms {
  id: string;
  from: string;
  to: string;
  content: string;
  sim: 'SIM1' | 'SIM2';
  attachments: string[] | null;
  /** The pushed message, as the server sent it. */
  message: WireMessage;
}

export type SendResult = { ok: true } | { ok: false; reason: string };

/** For delivery reports that arrive after `send` resolved (or before, they are held). */
export interface DeliveryReport {
  delivered(at?: Date | number): void;
  failed(reason: string, at?: Date | number): void;
}

export interface SmsSender {
  send(sms: OutgoingSms, report: DeliveryReport): Promise<SendResult> | SendResult;
}

export interface PhoneClientOptions {
  /** e.g. `wss://sms.example.com/v1/phones/ws`. */
  url: string;
  /** A phone key (`pk_…`) or a user key (`uk_…`). */
  apiKey: string;
  sender: SmsSender;
  /** Serve only these numbers (E.164); default every number the key serves. */
  phoneNumbers?: readonly string[];
  /** Register `phoneNumbers` that the key does not serve yet. */
  register?: boolean;
  /** Passphrase for messages sent with `encrypted: true`. */
  encryptionKey?: string | null;
  /** Where the key goes: the upgrade request's `x-api-key` header (default) or `hello`. */
  authIn?: 'header' | 'hello';
  /** Heartbeat period; default what the server suggests in `welcome`. */
  heartbeatIntervalMs?: number;
  reconnect?: Partial<RetryPolicy>;
  /** Message ids remembered for dedupe (default 10,000). */
  dedupeSize?: number;
  /**
   * What the phone did with each message it took (default: in memory, `dedupeSize`
   * entries). Give a `FileJournal` so a restart does not send a message twice.
   */
  journal?: SendJournal;
  requestTimeoutMs?: number;
  /** For `wss://`: the certificates to trust and the name to check, when not the URL's host. */
  tls?: PhoneTlsOptions;
  /** Reported in heartbeats and `hello`. */
  version?: string;
  charging?: () => boolean;
  /** Battery, charging and signal for heartbeats (a radio driver's `status`). */
  radioStatus?: () => Promise<RadioStatus>;
  /** A float in [0, 1), for reconnect jitter. */
  random?: () => number;
}

export const DEFAULT_RECONNECT_POLICY: RetryPolicy = Object.freeze({
  minDelayMs: 500,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.5,
});

export const NO_ENCRYPTION_KEY =
  'Outgoing message is encrypted but mobile app has no encryption key';
export const CANNOT_DECRYPT =
  'Cannot decrypt the outgoing message. Check your encryption key on the Android app.';
/** The FAILED reason for a message the radio had when an earlier run of the phone stopped. */
export const INTERRUPTED =
  'The phone stopped while sending this message; it is not sent again, to avoid a duplicate';

export interface PhoneClientEvents {
  connected: [welcome: WelcomeFrame];
  disconnected: [info: DisconnectInfo];
  /** Every pushed message, duplicates included. */
  push: [message: WireMessage, duplicate: boolean];
  sent: [sms: OutgoingSms];
  delivered: [messageId: string];
  failed: [messageId: string, reason: string];
  canceled: [messageId: string];
  heartbeat: [heartbeats: WireHeartbeat[]];
  /** A message pushed again after a restart: the outcome the journal holds is reported. */
  recovered: [messageId: string, entry: JournalEntry];
  /** The server asked for a heartbeat (one is sent right away). */
  heartbeatRequested: [phoneNumbers: string[]];
  /** Something the client could not do (a report the server refused, an ack that failed). */
  problem: [error: Error, context: string];
}

export interface ReceivedSmsInput {
  from: string;
  /** Default: the first number this socket serves. */
  to?: string;
  content: string;
  sim?: 'SIM1' | 'SIM2';
  timestamp?: Date | number;
  encrypted?: boolean;
  attachments?: { name: string; content_type: string; content: string }[];
}

export interface MissedCallInput {
  from: string;
  to?: string;
  sim?: 'SIM1' | 'SIM2';
  timestamp?: Date | number;
}

function isoTime(at: Date | number | undefined): string {
  return (at === undefined ? new Date() : new Date(at)).toISOString();
}

/** The heartbeat fields for what the radio knows (integers in the protocol's ranges). */
function radioFields(radio: RadioStatus): Record<string, number | string> {
  const fields: Record<string, number | string> = {};
  const clamp = (v: number, min: number, max: number) =>
    Math.min(max, Math.max(min, Math.round(v)));
  if (Number.isFinite(radio.batteryLevel))
    fields.battery_level = clamp(radio.batteryLevel ?? 0, 0, 100);
  if (Number.isFinite(radio.signalDbm)) fields.signal_dbm = clamp(radio.signalDbm ?? 0, -150, 0);
  if (radio.registration) fields.network_registration = radio.registration;
  if (radio.operator?.trim()) fields.network_operator = radio.operator.trim().slice(0, 64);
  return fields;
}

function ackOf(message: WireMessage) {
  return { type: 'ack', message_id: message.id, attempt: message.send_attempt_count };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

export class PhoneClient extends EventEmitter<PhoneClientEvents> {
  private readonly link: PhoneLink;
  private readonly seen: BoundedSet<string>;
  private readonly journal: SendJournal;
  private readonly acking = new Set<string>();
  private sending: Promise<void> = Promise.resolve();
  private welcome: WelcomeFrame | null = null;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private firstWelcome: { resolve(w: WelcomeFrame): void; reject(e: Error): void } | undefined;

  constructor(private readonly options: PhoneClientOptions) {
    super();
    this.seen = new BoundedSet(options.dedupeSize ?? 10_000);
    this.journal = options.journal ?? new MemoryJournal(options.dedupeSize ?? 10_000);
    this.link = new PhoneLink(
      {
        url: options.url,
        apiKey: options.apiKey,
        authIn: options.authIn ?? 'header',
        phoneNumbers: options.phoneNumbers,
        register: options.register === true,
        client: `textport-phone/${options.version ?? '0.1.0'}`,
        reconnect: { ...DEFAULT_RECONNECT_POLICY, ...options.reconnect },
        requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
        random: options.random ?? Math.random,
        tls: options.tls,
      },
      {
        welcome: (frame) => this.welcomed(frame),
        disconnected: (info) => this.disconnected(info),
        push: (frame) => {
          if (frame.type === 'message') this.received(frame.message);
          else if (frame.type === 'heartbeat_request') {
            this.emit('heartbeatRequested', frame.phone_numbers);
            void this.heartbeat(frame.phone_numbers).catch(() => {});
          } else this.emit('canceled', frame.message_id);
        },
      },
    );
  }

  /** Connects (and keeps reconnecting); resolves at the first `welcome`. */
  connect(): Promise<WelcomeFrame> {
    if (this.closed) return Promise.reject(new Error('the phone client was closed'));
    if (this.welcome) return Promise.resolve(this.welcome);
    const first = new Promise<WelcomeFrame>((resolve, reject) => {
      this.firstWelcome = { resolve, reject };
    });
    this.link.open();
    return first;
  }

  /** Closes the link; messages not yet handed to the sender are left to the gateway's retry. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeatTimer);
    this.firstWelcome?.reject(new Error('the phone client was closed'));
    this.firstWelcome = undefined;
    await this.link.close();
  }

  /** Drops the socket as a network failure would; the client reconnects. */
  dropConnection(): void {
    this.link.drop();
  }

  get connected(): boolean {
    return this.link.connected;
  }

  /** The phones served, as of the last `welcome`. */
  get phones(): WelcomeFrame['phones'] {
    return this.welcome?.phones ?? [];
  }

  /**
   * Sends a heartbeat for `phoneNumbers` (default every served number). A heartbeat
   * frame carries one or two numbers, so more are sent two per frame.
   */
  async heartbeat(phoneNumbers?: readonly string[]): Promise<WireHeartbeat[]> {
    const numbers = phoneNumbers?.length ? phoneNumbers : this.phones.map((p) => p.phone_number);
    const version = this.options.version ?? null;
    try {
      const radio = await this.radio();
      const charging = radio.charging ?? this.options.charging?.() ?? false;
      const beats: WireHeartbeat[] = [];
      for (let i = 0; i < Math.max(numbers.length, 1); i += 2) {
        const body = {
          type: 'heartbeat',
          phone_numbers: numbers.slice(i, i + 2),
          charging,
          version,
          ...radioFields(radio),
        };
        beats.push(...(await this.link.request<ResultData['heartbeat']>(body)).heartbeats);
      }
      this.emit('heartbeat', beats);
      return beats;
    } catch (error) {
      this.report(error, 'heartbeat');
      throw error;
    }
  }

  /** Reports an incoming SMS; waits for a connection when offline. */
  async reportReceived(input: ReceivedSmsInput): Promise<WireMessage> {
    const body = {
      type: 'received',
      from: input.from,
      to: input.to ?? this.phones[0]?.phone_number ?? '',
      content: input.content,
      sim: input.sim ?? 'SIM1',
      timestamp: isoTime(input.timestamp),
      encrypted: input.encrypted === true,
      attachments: input.attachments ?? null,
    };
    return (await this.link.request<ResultData['received']>(body, true)).message;
  }

  /** Reports a missed call; waits for a connection when offline. */
  async reportMissedCall(input: MissedCallInput): Promise<WireMessage> {
    const body = {
      type: 'missed_call',
      from: input.from,
      to: input.to ?? this.phones[0]?.phone_number ?? '',
      sim: input.sim ?? 'SIM1',
      timestamp: isoTime(input.timestamp),
    };
    return (await this.link.request<ResultData['missed_call']>(body, true)).message;
  }

  /** Reports SENT, DELIVERED or FAILED; waits for a connection when offline. */
  async reportEvent(
    messageId: string,
    event: 'SENT' | 'DELIVERED' | 'FAILED',
    options: { reason?: string; at?: Date | number } = {},
  ): Promise<ResultData['event']> {
    const body = {
      type: 'event',
      message_id: messageId,
      event,
      timestamp: isoTime(options.at),
      reason: options.reason ?? null,
    };
    try {
      return await this.link.request<ResultData['event']>(body, true);
    } catch (error) {
      this.report(error, `event ${event} of ${messageId}`);
      throw error;
    }
  }

  /** The radio's status; a driver that cannot answer leaves the heartbeat without it. */
  private async radio(): Promise<RadioStatus> {
    if (!this.options.radioStatus) return {};
    try {
      return await this.options.radioStatus();
    } catch (error) {
      this.report(error, 'radio status');
      return {};
    }
  }

  private welcomed(frame: WelcomeFrame): void {
    this.welcome = frame;
    this.firstWelcome?.resolve(frame);
    this.firstWelcome = undefined;
    clearInterval(this.heartbeatTimer);
    const every = this.options.heartbeatIntervalMs ?? frame.heartbeat_interval_ms;
    this.heartbeatTimer = setInterval(() => void this.heartbeat().catch(() => {}), every);
    this.heartbeatTimer.unref?.();
    this.emit('connected', frame);
    void this.heartbeat().catch(() => {});
  }

  private disconnected(info: DisconnectInfo): void {
    clearInterval(this.heartbeatTimer);
    this.emit('disconnected', info);
    if (!info.willReconnect && this.firstWelcome) {
      this.firstWelcome.reject(new Error(`connection refused (${info.code}): ${info.reason}`));
      this.firstWelcome = undefined;
    }
  }

  private received(message: WireMessage): void {
    const earlier = this.seen.has(message.id) ? undefined : this.journal.get(message.id);
    const duplicate = this.seen.has(message.id) || this.acking.has(message.id) || !!earlier;
    this.emit('push', message, duplicate);
    if (earlier && !this.acking.has(message.id)) {
      this.recover(message, earlier);
      return;
    }
    if (duplicate) return;
    this.acking.add(message.id);
    this.link
      .request<ResultData['ack']>(ackOf(message), true)
      .then(
        (data) => {
          this.seen.add(message.id);
          this.sending = this.sending
            .then(() => this.deliver(data.message))
            .catch((error: unknown) => this.report(error, `send of ${message.id}`));
        },
        (error: unknown) => this.report(error, `ack of ${message.id}`),
      )
      .finally(() => this.acking.delete(message.id));
  }

  /**
   * A message an earlier run took (it was pushed again: a retry after it expired, or
   * its report was lost with that run). Take it and report what the journal knows;
   * never hand it to the radio again.
   */
  private recover(message: WireMessage, entry: JournalEntry): void {
    this.acking.add(message.id);
    this.link
      .request<ResultData['ack']>(ackOf(message), true)
      .then(
        () => {
          this.seen.add(message.id);
          this.emit('recovered', message.id, entry);
          const at = entry.at || undefined;
          const report = (event: 'SENT' | 'DELIVERED' | 'FAILED', reason?: string) =>
            this.reportEvent(message.id, event, { at, ...(reason ? { reason } : {}) });
          if (entry.state === 'sending') this.fail(message.id, INTERRUPTED);
          else if (entry.state === 'failed')
            this.fail(message.id, entry.reason ?? 'GENERIC_FAILURE');
          else
            void report('SENT')
              .then(() => (entry.state === 'delivered' ? report('DELIVERED') : undefined))
              .catch(() => {});
        },
        (error: unknown) => this.report(error, `ack of ${message.id}`),
      )
      .finally(() => this.acking.delete(message.id));
  }

  private note(messageId: string, state: JournalEntry['state'], reason?: string): void {
    try {
      this.journal.record(messageId, { state, at: Date.now(), ...(reason ? { reason } : {}) });
    } catch (error) {
      this.report(error, `journal of ${messageId}`);
    }
  }

  /** Emits `problem` without letting a throwing listener break the send queue. */
  private report(error: unknown, context: string): void {
    try {
      this.emit('problem', error instanceof Error ? error : new Error(String(error)), context);
    } catch {
      // A listener failed while reporting a failure: nothing more to tell.
    }
  }

  /** Decrypts, hands the SMS to the sender once, and reports the outcome. */
  private async deliver(message: WireMessage): Promise<void> {
    if (this.closed) return;
    let content = message.content;
    if (message.encrypted) {
      const key = this.options.encryptionKey;
      if (!key) return this.fail(message.id, NO_ENCRYPTION_KEY);
      try {
        content = decrypt(key, content);
      } catch {
        return this.fail(message.id, CANNOT_DECRYPT);
      }
    }
    const sms: OutgoingSms = {
      id: message.id,
      from: message.owner,
      to: message.contact,
      content,
      sim: message.sim,
      attachments: message.attachments,
      message,
    };
    let reported = false;
    const held: (() => void)[] = [];
    const later = (fn: () => void) => (reported ? fn() : held.push(fn));
    const report: DeliveryReport = {
      delivered: (at) =>
        later(() => {
          this.note(message.id, 'delivered');
          this.emit('delivered', message.id);
          void this.reportEvent(message.id, 'DELIVERED', { at }).catch(() => {});
        }),
      failed: (reason, at) =>
        later(() => {
          this.note(message.id, 'failed', reason);
          void this.reportEvent(message.id, 'FAILED', { reason, at }).catch(() => {});
        }),
    };
    let result: SendResult;
    this.note(message.id, 'sending');
    try {
      result = await this.options.sender.send(sms, report);
    } catch (error) {
      result = { ok: false, reason: errorText(error) };
    }
    if (result.ok) {
      this.note(message.id, 'sent');
      this.emit('sent', sms);
      void this.reportEvent(message.id, 'SENT').catch(() => {});
    } else {
      this.fail(message.id, result.reason);
    }
    reported = true;
    for (const fn of held) fn();
  }

  private fail(messageId: string, reason: string): void {
    this.note(messageId, 'failed', reason);
    this.emit('failed', messageId, reason);
    void this.reportEvent(messageId, 'FAILED', { reason }).catch(() => {});
  }
}
