/**
 * What a phone may call, whatever channel it uses (HTTP, a transport's socket or
 * stream): the types of the phone API. The gateway implements it
 * (`gateway.phoneApi`) and hands it to transports (`TransportHost.phoneApi`).
 */
import type { HeartbeatRecord, MessageRecord, PhoneRecord } from './domain/records.js';
import type { Sim } from './lifecycle/status.js';

/** Who is calling: the account, the kind of key and the numbers it may act for. */
export interface Principal {
  accountId: string;
  kind: 'user' | 'phone' | 'host';
  /** The API key used, when one was. */
  keyId: string | null;
  /** Phone numbers a phone key may act for; null = every number of the account. */
  phoneNumbers: readonly string[] | null;
}

export const PHONE_EVENTS = Object.freeze(['SENT', 'DELIVERED', 'FAILED'] as const);
export type PhoneEventName = (typeof PHONE_EVENTS)[number];

export interface PhoneEventInput {
  event: PhoneEventName;
  /** When it happened on the phone; default now. */
  timestamp?: Date | string | number | null;
  /** Failure reason (FAILED only). */
  reason?: string | null;
  /**
   * The phone will never send this message again under its id (the SMSGate app
   * keeps every id it has pulled), so a FAILED is final whatever its reason: no
   * retry of a transient failure. Default false.
   */
  final?: boolean;
}

export type PhoneEventOutcome =
  /** The status changed. */
  | { outcome: 'applied'; message: MessageRecord }
  /** A late or repeated event: nothing changed (not an error, the phone must not retry). */
  | { outcome: 'ignored'; message: MessageRecord; reason: string }
  /** An event for a non-final part of a multipart SMS (`<id>.<part>`): nothing to do. */
  | { outcome: 'duplicate'; message: null };

export interface AttachmentInput {
  name: string;
  contentType: string;
  /** The bytes, or standard base64 as the Android app sends them. */
  data: Uint8Array | string;
}

export interface ReceiveInput {
  from: string;
  to: string;
  content?: string | null;
  encrypted?: boolean;
  sim?: string | null;
  /** When the phone received it; default now. */
  timestamp?: Date | string | number | null;
  attachments?: readonly AttachmentInput[] | null;
  /**
   * Store an SMS with no text and no attachments instead of refusing it (default
   * false: content is required). For a phone that drops what the server refuses
   * (the SMSGate app), where a refusal would lose the SMS.
   */
  allowEmptyContent?: boolean;
}

export interface MissedCallInput {
  from: string;
  to: string;
  sim?: string | null;
  timestamp?: Date | string | number | null;
}

/** What a phone's radio may report with a heartbeat. */
export interface RadioFieldsInput {
  /** Battery charge, an integer 0–100. */
  batteryLevel?: number | null;
  /** Signal strength in dBm, an integer -150 to 0. */
  signalDbm?: number | null;
  /** Network registration, one of `NETWORK_REGISTRATIONS`. */
  networkRegistration?: string | null;
  /** The network operator's name, at most 64 characters. */
  networkOperator?: string | null;
}

/** A heartbeat, with what the phone's radio reports (`RadioFieldsInput`). */
export interface HeartbeatInput extends RadioFieldsInput {
  phoneNumbers?: readonly string[] | null;
  /** Legacy single number (apps before 2024-11), used when `phoneNumbers` is empty. */
  owner?: string | null;
  charging?: boolean;
  /** The app version (`X-Client-Version`). */
  version?: string | null;
}

/** A phone's login: its number, push token (null: none) and SIM. */
export interface PushTokenInput {
  phoneNumber: string;
  fcmToken: string | null;
  sim?: Sim | string;
}

/** The phone API: every call checks the principal's scope and runs in one transaction. */
export interface PhoneApi {
  /** Atomically moves a pending, scheduled or expired message to `sending` for the phone. */
  takeOutstanding(principal: Principal, messageId: string): Promise<MessageRecord>;
  /** SENT, DELIVERED or FAILED for a message the phone holds. */
  reportEvent(
    principal: Principal,
    messageId: string,
    input: PhoneEventInput,
  ): Promise<PhoneEventOutcome>;
  /** An SMS or MMS the phone received. */
  receive(principal: Principal, input: ReceiveInput): Promise<MessageRecord>;
  missedCall(principal: Principal, input: MissedCallInput): Promise<MessageRecord>;
  heartbeat(principal: Principal, input: HeartbeatInput): Promise<HeartbeatRecord[]>;
  /** Registers the phone's number (and push token); the app's login. */
  updateFcmToken(principal: Principal, input: PushTokenInput): Promise<PhoneRecord>;
}
