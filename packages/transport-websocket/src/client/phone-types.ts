/**
 * The types of the `PhoneClient` API: its options, the `SmsSender` it hands outgoing SMS to
 * (and what reaches it), the events it emits, and the inputs of its reports.
 */
import type { RetryPolicy, WireHeartbeat, WireMessage } from '@textport/core';
import type { WelcomeFrame } from '../protocol.js';
import type { RadioStatus } from './drivers/driver.js';
import type { JournalEntry, SendJournal } from './journal.js';
import type { DisconnectInfo, PhoneTlsOptions } from './link.js';
import type { ReportRetryPolicy } from './reports.js';

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
  /**
   * How a SENT / DELIVERED / FAILED report the server could not take for a transient reason
   * (a server-side fault, no reply in time) is sent again: default 1 s doubling to 30 s, 10 tries.
   */
  reportRetry?: Partial<ReportRetryPolicy>;
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
