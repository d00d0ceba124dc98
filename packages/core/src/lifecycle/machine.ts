/**
 * The message lifecycle: which event moves a message from which status to
 * which status. This module is the single owner of those rules; every writer
 * (dispatcher, phone API, expiry, cancel) asks `decide` before it changes a
 * status and compare-and-sets on the exact status it read. Where a store moves
 * rows it has not read first (the phone's take, one statement), the caller passes
 * `sourcesOf(event)` and `targetOf(event)` from here, so no store hard-codes a
 * transition.
 *
 * The rules follow httpSMS's message service guards, plus `cancel`, which is
 * textport's own.
 */
import { MESSAGE_STATUSES, type MessageStatus } from './status.js';

/** Lifecycle events, in the order a message usually meets them. */
export const LIFECYCLE_EVENTS = Object.freeze([
  /** The dispatcher schedules the hand-off to the phone. */
  'schedule',
  /** The phone takes the message (httpSMS outstanding fetch, or a WebSocket ack). */
  'take',
  'phone.sent',
  'phone.delivered',
  'phone.failed',
  /**
   * The phone failed for a transient reason (see failure-reasons.ts) and attempts
   * are left: the message goes back to the queue for another attempt.
   */
  'retry',
  /** No terminal event arrived within the expiry window. */
  'expire',
  /** The user cancels the message before the phone takes it. */
  'cancel',
] as const);
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

/**
 * The outcome of an event on a status.
 * - `move`: change the status to `to`.
 * - `ignore`: a harmless duplicate or late event: change nothing, not an error.
 * - `reject`: refuse the event with an error.
 */
export type Decision =
  | { kind: 'move'; to: MessageStatus }
  | { kind: 'ignore'; reason: string }
  | { kind: 'reject'; reason: string };

export type TransitionTable = Readonly<
  Record<LifecycleEvent, Readonly<Record<MessageStatus, Readonly<Decision>>>>
>;

function move(to: MessageStatus): Readonly<Decision> {
  return Object.freeze({ kind: 'move', to });
}

function ignore(reason: string): Readonly<Decision> {
  return Object.freeze({ kind: 'ignore', reason });
}

function reject(reason: string): Readonly<Decision> {
  return Object.freeze({ kind: 'reject', reason });
}

function row(
  decisions: Record<MessageStatus, Readonly<Decision>>,
): Readonly<Record<MessageStatus, Readonly<Decision>>> {
  return Object.freeze(decisions);
}

const ALREADY_SCHEDULED = ignore('the hand-off is already scheduled');
const NOT_SCHEDULABLE = (status: MessageStatus) =>
  reject(`cannot schedule a message in status [${status}]`);

const NOT_OUTSTANDING = (status: MessageStatus) =>
  reject(`cannot find outstanding message: status [${status}] cannot be taken by the phone`);

const SENT_AFTER_SENT = ignore('the message is already sent');
const SENT_AFTER_DELIVERED = ignore('a sent event after delivered changes nothing');
const SENT_REJECTED = (status: MessageStatus) =>
  reject(`cannot mark a message in status [${status}] as sent`);

const DELIVERED_AGAIN = ignore('the message is already delivered');
const DELIVERED_IGNORED = (status: MessageStatus) =>
  ignore(`a delivered event on a message in status [${status}] is ignored`);

const FAILED_AGAIN = ignore('the message has already failed');
const FAILED_AFTER_DELIVERED = ignore('a failed event after delivered changes nothing');
const FAILED_REJECTED = (status: MessageStatus) =>
  reject(`cannot mark a message in status [${status}] as failed`);

const QUEUED_AGAIN = ignore('the message is already queued for another attempt');
const NOT_RETRIED = (status: MessageStatus) =>
  reject(`a message in status [${status}] is not sent again`);

const NO_EXPIRY = (status: MessageStatus) =>
  ignore(`a message in status [${status}] does not expire`);

const ALREADY_CANCELED = ignore('the message is already canceled');
const TAKEN = (status: MessageStatus) =>
  reject(`cannot cancel a message in status [${status}]: the phone has already taken it`);
const INCOMING = reject('incoming messages cannot be canceled');

/** The rule table: `TRANSITIONS[event][status]` is the decision. */
export const TRANSITIONS: TransitionTable = Object.freeze({
  schedule: row({
    pending: move('scheduled'),
    scheduled: ALREADY_SCHEDULED,
    sending: NOT_SCHEDULABLE('sending'),
    sent: NOT_SCHEDULABLE('sent'),
    delivered: NOT_SCHEDULABLE('delivered'),
    failed: NOT_SCHEDULABLE('failed'),
    expired: move('scheduled'),
    received: NOT_SCHEDULABLE('received'),
    canceled: NOT_SCHEDULABLE('canceled'),
  }),
  take: row({
    pending: move('sending'),
    scheduled: move('sending'),
    sending: NOT_OUTSTANDING('sending'),
    sent: NOT_OUTSTANDING('sent'),
    delivered: NOT_OUTSTANDING('delivered'),
    failed: NOT_OUTSTANDING('failed'),
    expired: move('sending'),
    received: NOT_OUTSTANDING('received'),
    canceled: NOT_OUTSTANDING('canceled'),
  }),
  'phone.sent': row({
    pending: SENT_REJECTED('pending'),
    scheduled: move('sent'),
    sending: move('sent'),
    sent: SENT_AFTER_SENT,
    delivered: SENT_AFTER_DELIVERED,
    failed: SENT_REJECTED('failed'),
    expired: move('sent'),
    received: SENT_REJECTED('received'),
    canceled: SENT_REJECTED('canceled'),
  }),
  'phone.delivered': row({
    pending: DELIVERED_IGNORED('pending'),
    scheduled: move('delivered'),
    sending: move('delivered'),
    sent: move('delivered'),
    delivered: DELIVERED_AGAIN,
    failed: DELIVERED_IGNORED('failed'),
    expired: move('delivered'),
    received: DELIVERED_IGNORED('received'),
    canceled: DELIVERED_IGNORED('canceled'),
  }),
  'phone.failed': row({
    pending: move('failed'),
    scheduled: move('failed'),
    sending: move('failed'),
    // The delivery report failed: the message cannot be delivered.
    sent: move('failed'),
    delivered: FAILED_AFTER_DELIVERED,
    failed: FAILED_AGAIN,
    expired: move('failed'),
    received: FAILED_REJECTED('received'),
    canceled: FAILED_REJECTED('canceled'),
  }),
  retry: row({
    pending: QUEUED_AGAIN,
    scheduled: move('pending'),
    sending: move('pending'),
    // The phone sent it: a failed delivery report is final.
    sent: NOT_RETRIED('sent'),
    delivered: DELIVERED_AGAIN,
    failed: FAILED_AGAIN,
    expired: move('pending'),
    received: NOT_RETRIED('received'),
    canceled: NOT_RETRIED('canceled'),
  }),
  expire: row({
    pending: move('expired'),
    scheduled: move('expired'),
    sending: move('expired'),
    // A message that reached sent never expires.
    sent: NO_EXPIRY('sent'),
    delivered: NO_EXPIRY('delivered'),
    failed: NO_EXPIRY('failed'),
    expired: ignore('the message has already expired'),
    received: NO_EXPIRY('received'),
    canceled: NO_EXPIRY('canceled'),
  }),
  cancel: row({
    pending: move('canceled'),
    scheduled: move('canceled'),
    sending: TAKEN('sending'),
    sent: TAKEN('sent'),
    delivered: TAKEN('delivered'),
    failed: TAKEN('failed'),
    expired: move('canceled'),
    received: INCOMING,
    canceled: ALREADY_CANCELED,
  }),
});

/** What `event` does to a message in `status`. */
export function decide(status: MessageStatus, event: LifecycleEvent): Decision {
  return TRANSITIONS[event][status];
}

/** True only when `event` moves a message in `status` to another status. */
export function canTransition(status: MessageStatus, event: LifecycleEvent): boolean {
  return decide(status, event).kind === 'move';
}

/**
 * The statuses from which `event` moves a message, in `MESSAGE_STATUSES`
 * order: the `expected` list of a compare-and-set status update.
 */
export function sourcesOf(event: LifecycleEvent): MessageStatus[] {
  return MESSAGE_STATUSES.filter((status) => canTransition(status, event));
}

/**
 * The one status `event` moves messages to (an event with several targets, or none,
 * throws). `table` is for checking a rule table other than the built-in one.
 */
export function targetOf(
  event: LifecycleEvent,
  table: TransitionTable = TRANSITIONS,
): MessageStatus {
  const targets = new Set<MessageStatus>();
  for (const status of MESSAGE_STATUSES) {
    const decision = table[event][status];
    if (decision.kind === 'move') targets.add(decision.to);
  }
  const [target, ...others] = targets;
  if (!target || others.length > 0) {
    throw new Error(`the lifecycle event ${event} has no single target status`);
  }
  return target;
}

const TERMINAL_STATUSES: ReadonlySet<MessageStatus> = new Set<MessageStatus>([
  'delivered',
  'failed',
  'received',
  'canceled',
]);

export interface TerminalOptions {
  /** Treat `expired` as final (an expired message can otherwise still be re-scheduled or reported). */
  finalExpiry?: boolean;
}

/** Whether no further lifecycle change is expected for a message in `status`. */
export function isTerminal(status: MessageStatus, opts?: TerminalOptions): boolean {
  if (status === 'expired') return opts?.finalExpiry === true;
  return TERMINAL_STATUSES.has(status);
}
