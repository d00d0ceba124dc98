/**
 * `fcmTransport(options)`: wakes httpSMS Android apps with FCM HTTP v1 data messages.
 * Each due message becomes one `KEY_MESSAGE_ID` push; the app then fetches it with
 * `GET /v1/messages/outstanding` and reports SENT / DELIVERED / FAILED over HTTP.
 *
 *   const store = createMemoryStore();
 *   const fcm = fcmTransport({ credentials: './service-account.json', store });
 *   const gateway = createGateway({ store, transports: [fcm] });
 *   await gateway.start();
 */
import type { MessageRecord, PhoneRecord } from '@textport/core';
import type { Transport, TransportHost } from '@textport/core/transport';
import { isRetryable, TransportError } from '@textport/core/transport';
import PQueue from 'p-queue';
import { AccessTokenSource } from './access-token.js';
import type { FcmFailure } from './errors.js';
import { FcmSendError, judge } from './errors.js';
import type { FcmTransportOptions, InvalidTokenEvent, ResolvedFcmOptions } from './options.js';
import { resolveOptions } from './options.js';
import type { FcmPush } from './payloads.js';
import { heartbeatPush, messagePush } from './payloads.js';
import type { PushSender } from './senders.js';
import { HttpV1Sender, MessagingSender } from './senders.js';

export class FcmTransport implements Transport {
  readonly name = 'fcm';
  readonly options: ResolvedFcmOptions;
  private readonly sender: PushSender;
  private readonly queue: PQueue;

  constructor(options: FcmTransportOptions) {
    const resolved = resolveOptions(options);
    this.options = resolved;
    this.queue = new PQueue({ concurrency: resolved.concurrency });
    if (resolved.messaging) {
      this.sender = new MessagingSender(resolved.messaging, resolved.clock);
    } else if (resolved.account) {
      const tokens = new AccessTokenSource({
        account: resolved.account,
        clock: resolved.clock,
        fetch: resolved.fetch,
        timeoutMs: resolved.timeoutMs,
      });
      this.sender = new HttpV1Sender({ ...resolved, tokens });
    } else {
      throw new TypeError('unreachable: resolveOptions requires credentials or messaging');
    }
  }

  /** Where pushes go: the `messages:send` URL, or the injected firebase-admin `Messaging`. */
  get target(): string {
    return this.sender.target;
  }

  /** Pushes waiting for a slot and in flight. */
  get pending(): number {
    return this.queue.size + this.queue.pending;
  }

  /** Nothing to open: pushes go out on demand. */
  async start(_host: TransportHost): Promise<void> {}

  /** Lets the pushes already queued finish. */
  async stop(): Promise<void> {
    await this.queue.onIdle();
  }

  /** Any phone with a token can be woken from any node. */
  reachablePhones(): 'all' {
    return 'all';
  }

  canReach(phone: PhoneRecord): boolean {
    return typeof phone.fcmToken === 'string' && phone.fcmToken !== '';
  }

  /** One `KEY_MESSAGE_ID` push per message, in order; resolves once FCM accepted them all. */
  async notify(phone: PhoneRecord, messages: readonly MessageRecord[]): Promise<void> {
    const token = this.tokenOf(phone);
    for (const message of messages) await this.push(phone, messagePush(token, phone, message));
  }

  /** A high-priority `KEY_HEARTBEAT_ID` push: the app answers with `POST /v1/heartbeats`. */
  async requestHeartbeat(phone: PhoneRecord): Promise<void> {
    const token = this.tokenOf(phone);
    await this.push(phone, heartbeatPush(token, this.options.clock.now()));
  }

  private tokenOf(phone: PhoneRecord): string {
    if (this.canReach(phone) && phone.fcmToken) return phone.fcmToken;
    throw new TransportError(
      `phone [${phone.phoneNumber}] has no FCM token: log in on the httpSMS Android app so it registers one (PUT /v1/phones/fcm-token)`,
      { retryable: false },
    );
  }

  private async push(phone: PhoneRecord, push: FcmPush): Promise<void> {
    try {
      await this.queue.add(() => this.sender.send(push));
    } catch (error) {
      throw await this.transportError(phone, push.token, error);
    }
  }

  private async transportError(
    phone: PhoneRecord,
    token: string,
    error: unknown,
  ): Promise<TransportError> {
    if (error instanceof TransportError) return error;
    if (!(error instanceof FcmSendError)) {
      const reason = error instanceof Error ? error.message : String(error);
      return new TransportError(`the FCM push to phone [${phone.phoneNumber}] failed: ${reason}`, {
        retryable: isRetryable(error),
        cause: error,
      });
    }
    const verdict = judge(error.failure);
    if (verdict.kind === 'invalid-token') {
      await this.dropToken({ phone, token, code: verdict.code, cleared: false });
      return new TransportError(
        `the FCM token of phone [${phone.phoneNumber}] is no longer valid (${verdict.code}): open the httpSMS Android app to register again`,
        { retryable: false, cause: error },
      );
    }
    const message = explain(phone, error.failure);
    if (verdict.kind === 'retry') {
      return new TransportError(message, {
        retryable: true,
        retryAfterMs: verdict.retryAfterMs,
        cause: error,
      });
    }
    return new TransportError(message, { retryable: false, cause: error });
  }

  /**
   * Clears the dead token in the store, unless the phone registered another one since
   * the push was built, then tells `onInvalidToken`. A failure here is logged: the
   * message fails with its reason either way.
   */
  private async dropToken(event: InvalidTokenEvent): Promise<void> {
    const { store, onInvalidToken, logger, clock } = this.options;
    const phoneId = event.phone.id;
    try {
      const current = store ? await store.getPhone(phoneId) : null;
      if (store && current?.fcmToken === event.token) {
        await store.updatePhone(phoneId, { fcmToken: null, updatedAt: clock.now() });
        event.cleared = true;
      }
      logger.info(
        { phoneId, code: event.code, cleared: event.cleared },
        'FCM token is no longer valid',
      );
      await onInvalidToken?.(event);
    } catch (error) {
      logger.warn({ err: error, phoneId }, 'could not clear the invalid FCM token');
    }
  }
}

/** A failure reason a person can act on (it becomes the message's `failure_reason`). */
function explain(phone: PhoneRecord, failure: FcmFailure): string {
  const head = `the FCM push to phone [${phone.phoneNumber}] failed (${failure.code}`;
  switch (failure.code) {
    case 'SENDER_ID_MISMATCH':
      return `${head}): the phone's token belongs to another Firebase project; the server credentials must be of the project whose google-services.json the Android app was built with`;
    case 'THIRD_PARTY_AUTH_ERROR':
    case 'PERMISSION_DENIED':
      return `${head}): ${failure.message}; check that the Firebase Cloud Messaging API is enabled and the service account may send messages`;
    default:
      return `${head}): ${failure.message}`;
  }
}

/** The FCM transport; see `FcmTransportOptions`. */
export function fcmTransport(options: FcmTransportOptions): FcmTransport {
  return new FcmTransport(options);
}
