/**
 * `fcmTransport(options)`: wakes httpSMS Android apps with FCM HTTP v1 data messages.
 * Each due message becomes one `KEY_MESSAGE_ID` push; the app then fetches it with
 * `GET /v1/messages/outstanding` and reports SENT / DELIVERED / FAILED over HTTP.
 * A token FCM rejects for good is cleared through the host given to `start(host)`;
 * a phone that registers a token (`phone.updated`) with work waiting wakes the
 * dispatcher.
 *
 *   const fcm = fcmTransport({ credentials: './service-account.json' });
 *   const gateway = createGateway({ store, transports: [fcm] });
 *   await gateway.start();
 */
import type { GatewayEvent, MessageRecord, PhoneRecord } from '@textport/core';
import type { NotifyOutcome, Reach, Transport, TransportHost } from '@textport/core/transport';
import { HANDED_OFF, isRetryable, TransportError } from '@textport/core/transport';
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

function hasToken(phone: PhoneRecord): boolean {
  return typeof phone.fcmToken === 'string' && phone.fcmToken !== '';
}

/** Any phone with a token can be woken from any node. */
const REACH: Reach = Object.freeze({ phoneIds: 'any', has: hasToken });

export class FcmTransport implements Transport {
  readonly name = 'fcm';
  readonly options: ResolvedFcmOptions;
  private readonly sender: PushSender;
  private readonly queue: PQueue;
  /** The host of the latest `start()`, kept after `stop()` for the pushes still in flight. */
  private host: TransportHost | undefined;
  private unsubscribe: (() => void) | undefined;

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

  /** Nothing to open: pushes go out on demand; dead tokens are cleared through `host`. */
  async start(host: TransportHost): Promise<void> {
    this.unsubscribe?.();
    this.host = host;
    this.unsubscribe = host.subscribe('phone.updated', (event) => {
      void this.phoneUpdated(host, event);
    });
  }

  /** Lets the pushes already queued finish. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.queue.onIdle();
  }

  /** A phone that has a token now is reachable: wake the dispatcher when work waits for it. */
  private async phoneUpdated(
    host: TransportHost,
    event: GatewayEvent<'phone.updated'>,
  ): Promise<void> {
    try {
      const phone = await host.lookups.phoneByNumber(event.accountId, event.owner);
      if (!phone || phone.id !== event.data.phone_id || !hasToken(phone)) return;
      if (await host.lookups.hasDueWork([phone.id])) host.wake();
    } catch (error) {
      this.options.logger.warn(
        { err: error, phoneId: event.data.phone_id },
        'could not check the work of a phone that registered; it goes out on the next round',
      );
    }
  }

  /** Any phone with a token can be woken from any node. */
  reach(): Reach {
    return REACH;
  }

  /**
   * One `KEY_MESSAGE_ID` push per message, in order. When the first push fails,
   * nothing went out and the batch is rejected with its error; when a later one
   * does, the messages already pushed are handed off and that one and the rest,
   * never pushed (they would meet the same token, quota or outage), carry its error.
   */
  async notify(
    phone: PhoneRecord,
    messages: readonly MessageRecord[],
  ): Promise<readonly NotifyOutcome[]> {
    const token = this.tokenOf(phone);
    const outcomes: NotifyOutcome[] = [];
    for (const message of messages) {
      try {
        await this.push(phone, messagePush(token, phone, message));
      } catch (error) {
        if (outcomes.length === 0) throw error;
        const failed: NotifyOutcome = { ok: false, error };
        while (outcomes.length < messages.length) outcomes.push(failed);
        return outcomes;
      }
      outcomes.push(HANDED_OFF);
    }
    return outcomes;
  }

  /** A high-priority `KEY_HEARTBEAT_ID` push: the app answers with `POST /v1/heartbeats`. */
  async requestHeartbeat(phone: PhoneRecord): Promise<void> {
    const token = this.tokenOf(phone);
    await this.push(phone, heartbeatPush(token, this.options.clock.now()));
  }

  private tokenOf(phone: PhoneRecord): string {
    if (hasToken(phone) && phone.fcmToken) return phone.fcmToken;
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
   * Clears the dead token through the gateway (`host.clearPushToken`), unless the
   * phone registered another one since the push was built, then tells
   * `onInvalidToken`. A failure here is logged: the message fails with its reason
   * either way.
   */
  private async dropToken(event: InvalidTokenEvent): Promise<void> {
    const { onInvalidToken, logger } = this.options;
    const phoneId = event.phone.id;
    try {
      if (this.host) event.cleared = await this.host.clearPushToken(phoneId, event.token);
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
