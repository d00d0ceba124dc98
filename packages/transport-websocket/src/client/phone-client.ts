/**
 * `PhoneClient`: what a phone (or a simulator) runs to serve a textport gateway
 * over WebSocket. It acks each pushed message (which moves it to `sending`),
 * hands it to an `SmsSender` once, and reports SENT, DELIVERED or FAILED; it
 * sends heartbeats on an interval and on request, and reports incoming SMS and
 * missed calls. An ack a lost link left unanswered is sent again after the reconnect,
 * before the `resume`, so what the phone holds is not pushed again. Duplicates are dropped
 * by id; with a persistent `journal`, a message pushed again after a restart is not sent again.
 *
 * Pushed messages: pushed.ts; the socket, its requests and reconnects: link.ts; the types of
 * the API: phone-types.ts.
 */
import { EventEmitter } from 'node:events';
import type { RetryPolicy, WireHeartbeat, WireMessage } from '@textport/core';
import type { ResultData, WelcomeFrame } from '../protocol.js';
import type { RadioStatus } from './drivers/driver.js';
import type { DisconnectInfo } from './link.js';
import { PhoneLink } from './link.js';
import type {
  MissedCallInput,
  PhoneClientEvents,
  PhoneClientOptions,
  ReceivedSmsInput,
} from './phone-types.js';
import { PushedMessages } from './pushed.js';
import type { ReportedEvent, ReportOptions } from './reports.js';

export const DEFAULT_RECONNECT_POLICY: RetryPolicy = Object.freeze({
  minDelayMs: 500,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.5,
});

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

export class PhoneClient extends EventEmitter<PhoneClientEvents> {
  private readonly link: PhoneLink;
  private readonly pushed: PushedMessages;
  private welcome: WelcomeFrame | null = null;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private firstWelcome: { resolve(w: WelcomeFrame): void; reject(e: Error): void } | undefined;

  constructor(private readonly options: PhoneClientOptions) {
    super();
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
          if (frame.type === 'message') this.pushed.received(frame.message);
          else if (frame.type === 'heartbeat_request') {
            this.emit('heartbeatRequested', frame.phone_numbers);
            void this.heartbeat(frame.phone_numbers).catch(() => {});
          } else this.emit('canceled', frame.message_id);
        },
      },
    );
    this.pushed = new PushedMessages(this.link, options, {
      events: this,
      reportEvent: (messageId, event, options) => this.reportEvent(messageId, event, options),
      report: (error, context) => this.report(error, context),
      closed: () => this.closed,
    });
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
    this.pushed.close();
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
    event: ReportedEvent,
    options: ReportOptions = {},
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
    this.pushed.resumed();
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

  /** Emits `problem` without letting a throwing listener break the send queue. */
  private report(error: unknown, context: string): void {
    try {
      this.emit('problem', error instanceof Error ? error : new Error(String(error)), context);
    } catch {
      // A listener failed while reporting a failure: nothing more to tell.
    }
  }
}
