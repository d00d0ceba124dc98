/**
 * The phone protocol, version 1: JSON text frames `{"v":1,"type":…}` in both
 * directions. `docs/phone-protocol.md` is the reference for phone authors; this
 * module holds the frame shapes, the close codes and the strict parser of what a
 * phone sends. A frame that breaks the structure (not JSON, wrong `v`, unknown
 * `type`, a field of the wrong JSON type) closes the socket with 4400; a
 * well-formed request the gateway rejects gets an `error` reply instead.
 */
import type { WireHeartbeat, WireMessage } from '@textport/core';

export const PROTOCOL_VERSION = 1;

/** WebSocket close codes the server uses (and the client understands). */
export const CLOSE_CODES = Object.freeze({
  /** The server is stopping; reconnect later. */
  goingAway: 1001,
  /** A frame was larger than `maxPayload` (sent by the WebSocket layer). */
  tooBig: 1009,
  /** A frame broke the protocol (not JSON, unknown type, wrong field type, binary). */
  badFrame: 4400,
  /** Missing or unknown API key, or no `hello` in time. */
  unauthorized: 4401,
  /** The key may not act for the requested numbers, or they have no phone record. */
  forbidden: 4403,
  /** A newer connection took over every phone this socket served. */
  replaced: 4409,
} as const);

/** Close codes after which reconnecting with the same settings cannot help. */
export const PERMANENT_CLOSE_CODES: ReadonlySet<number> = new Set([
  CLOSE_CODES.unauthorized,
  CLOSE_CODES.forbidden,
  CLOSE_CODES.replaced,
]);

// phone → server

export interface HelloFrame {
  type: 'hello';
  id: string;
  api_key?: string;
  phone_numbers?: string[];
  register?: boolean;
  client?: string;
  /**
   * `true`: push nothing again at `welcome`; the phone acks what it holds, then
   * sends `resume` (only when `welcome` echoes `defer_resume: true`).
   */
  defer_resume?: boolean;
}
export interface AckFrame {
  type: 'ack';
  id: string;
  message_id: string;
  /** The pushed message's `send_attempt_count`. */
  attempt?: number;
  /**
   * The request was sent before, on a link that dropped before its answer. With
   * `attempt`, an ack the server had applied is answered with the message again.
   */
  resent?: boolean;
}
/** Push again what was handed off to the socket's phones and not acked nor pushed on this socket. */
export interface ResumeFrame {
  type: 'resume';
  id: string;
}
export interface EventFrame {
  type: 'event';
  id: string;
  message_id: string;
  event: string;
  timestamp?: string | number | null;
  reason?: string | null;
}
export interface ReceivedAttachment {
  name: string;
  content_type: string;
  /** Standard base64. */
  content: string;
}
export interface ReceivedFrame {
  type: 'received';
  id: string;
  from: string;
  to: string;
  content?: string | null;
  sim?: string | null;
  timestamp?: string | number | null;
  encrypted?: boolean;
  attachments?: ReceivedAttachment[] | null;
}
export interface MissedCallFrame {
  type: 'missed_call';
  id: string;
  from: string;
  to: string;
  sim?: string | null;
  timestamp?: string | number | null;
}
export interface HeartbeatFrame {
  type: 'heartbeat';
  id: string;
  phone_numbers?: string[] | null;
  charging?: boolean;
  version?: string | null;
  /** Battery charge, an integer 0–100, when the radio knows it. */
  battery_level?: number | null;
  /** Signal strength in dBm (an integer, -150 to 0), when the radio knows it. */
  signal_dbm?: number | null;
  /** `home`, `roaming`, `searching`, `denied`, `unregistered` or `unknown`, when the radio knows it. */
  network_registration?: string | null;
  /** The network operator's name (at most 64 characters), when the radio knows it. */
  network_operator?: string | null;
}

export type PhoneFrame =
  | HelloFrame
  | AckFrame
  | ResumeFrame
  | EventFrame
  | ReceivedFrame
  | MissedCallFrame
  | HeartbeatFrame;

// server → phone

export interface ServedPhone {
  id: string;
  phone_number: string;
  sim: string;
}
export interface WelcomeFrame {
  v: 1;
  type: 'welcome';
  id: string;
  account_id: string;
  phones: ServedPhone[];
  ping_interval_ms: number;
  heartbeat_interval_ms: number;
  max_payload: number;
  /** Present (`true`) when the server honours the hello's `defer_resume`: it waits for `resume`. */
  defer_resume?: true;
}
export interface MessageFrame {
  v: 1;
  type: 'message';
  message: WireMessage;
}
export interface HeartbeatRequestFrame {
  v: 1;
  type: 'heartbeat_request';
  phone_numbers: string[];
}
export interface CancelFrame {
  v: 1;
  type: 'cancel';
  message_id: string;
  phone_number: string;
}
export interface ResultFrame<T = unknown> {
  v: 1;
  type: 'result';
  id: string;
  data: T;
}
export interface ErrorFrame {
  v: 1;
  type: 'error';
  id: string | null;
  code: string;
  message: string;
  detail?: string;
  fields?: Record<string, string[]>;
}

export type ServerFrame =
  | WelcomeFrame
  | MessageFrame
  | HeartbeatRequestFrame
  | CancelFrame
  | ResultFrame
  | ErrorFrame;

type WithoutVersion<T> = T extends unknown ? Omit<T, 'v'> : never;
/** A server frame before `encodeFrame` adds the version. */
export type ServerFrameBody = WithoutVersion<ServerFrame>;

/** `result.data` per request type. */
export interface ResultData {
  ack: { message: WireMessage };
  /** How many messages the resume pushed again. */
  resume: { pushed: number };
  /** `ignored`: a late or repeated event (with `reason`); `duplicate`: a `<id>.<part>` event. */
  event: { outcome: 'applied' | 'ignored' | 'duplicate'; status: string | null; reason?: string };
  received: { message: WireMessage };
  missed_call: { message: WireMessage };
  heartbeat: { heartbeats: WireHeartbeat[] };
}

/** Why a frame was refused: the socket closes with 4400 and this text. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

type Json = Record<string, unknown>;
type Kind = 'string' | 'boolean' | 'number' | 'strings' | 'time' | 'attachments';

const FIELDS: Record<PhoneFrame['type'], Record<string, [Kind, 'required' | 'optional']>> = {
  hello: {
    api_key: ['string', 'optional'],
    phone_numbers: ['strings', 'optional'],
    register: ['boolean', 'optional'],
    client: ['string', 'optional'],
    defer_resume: ['boolean', 'optional'],
  },
  ack: {
    message_id: ['string', 'required'],
    attempt: ['number', 'optional'],
    resent: ['boolean', 'optional'],
  },
  resume: {},
  event: {
    message_id: ['string', 'required'],
    event: ['string', 'required'],
    timestamp: ['time', 'optional'],
    reason: ['string', 'optional'],
  },
  received: {
    from: ['string', 'required'],
    to: ['string', 'required'],
    content: ['string', 'optional'],
    sim: ['string', 'optional'],
    timestamp: ['time', 'optional'],
    encrypted: ['boolean', 'optional'],
    attachments: ['attachments', 'optional'],
  },
  missed_call: {
    from: ['string', 'required'],
    to: ['string', 'required'],
    sim: ['string', 'optional'],
    timestamp: ['time', 'optional'],
  },
  heartbeat: {
    phone_numbers: ['strings', 'optional'],
    charging: ['boolean', 'optional'],
    version: ['string', 'optional'],
    battery_level: ['number', 'optional'],
    signal_dbm: ['number', 'optional'],
    network_registration: ['string', 'optional'],
    network_operator: ['string', 'optional'],
  },
};

function isAttachment(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const a = value as Json;
  return (
    typeof a.name === 'string' &&
    typeof a.content_type === 'string' &&
    typeof a.content === 'string'
  );
}

function fits(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number';
    case 'time':
      return typeof value === 'string' || typeof value === 'number';
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'attachments':
      return Array.isArray(value) && value.every(isAttachment);
  }
}

/** Parses one text frame from a phone; throws `FrameError` when it breaks the protocol. */
export function parsePhoneFrame(text: string): PhoneFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FrameError('the frame is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FrameError('the frame is not a JSON object');
  }
  const frame = value as Json;
  if (frame.v !== PROTOCOL_VERSION) {
    throw new FrameError(`unsupported protocol version [${String(frame.v)}]; this server speaks 1`);
  }
  const type = frame.type;
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS, type)) {
    throw new FrameError(`unknown frame type [${String(type)}]`);
  }
  if (typeof frame.id !== 'string' || frame.id.length < 1 || frame.id.length > 100) {
    throw new FrameError(`a [${type}] frame needs an "id" string of 1 to 100 characters`);
  }
  const parsed: Json = { type, id: frame.id };
  for (const [field, [kind, presence]] of Object.entries(FIELDS[type as PhoneFrame['type']])) {
    const v = frame[field];
    if (v === undefined || (v === null && presence === 'optional')) {
      if (presence === 'required') throw new FrameError(`a [${type}] frame needs [${field}]`);
      continue;
    }
    if (!fits(kind, v)) {
      throw new FrameError(`field [${field}] of a [${type}] frame has the wrong type`);
    }
    parsed[field] = v;
  }
  return parsed as unknown as PhoneFrame;
}

/** Serialises a server frame (adds `v`). */
export function encodeFrame(frame: ServerFrameBody): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...frame });
}
