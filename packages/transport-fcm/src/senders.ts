/**
 * The two ways a push leaves: FCM HTTP v1 with our own service-account tokens, or an
 * injected firebase-admin `Messaging`. Both throw `FcmSendError` (or, for the token
 * endpoint, a retryable `TransportError`).
 */
import type { Clock } from '@textport/core';
import type { AccessTokenSource } from './access-token.js';
import { describe } from './access-token.js';
import { FcmSendError, failureFromAdminError, failureFromResponse } from './errors.js';
import type { FcmPush } from './payloads.js';
import { adminMessage, httpV1Body } from './payloads.js';
import { readBody } from './read-body.js';

export interface PushSender {
  /** Where pushes go, for messages and logs. */
  readonly target: string;
  send(push: FcmPush): Promise<void>;
}

/** The message an injected `Messaging` is given (a firebase-admin `TokenMessage`). */
export type FcmAdminMessage = ReturnType<typeof adminMessage>;

/**
 * What the transport needs of firebase-admin's `Messaging` (`getMessaging(app)`),
 * typed structurally so firebase-admin stays an optional peer.
 */
export interface MessagingLike {
  send(message: FcmAdminMessage, dryRun?: boolean): Promise<string>;
}

export interface HttpV1SenderOptions {
  endpoint: string;
  projectId: string;
  tokens: AccessTokenSource;
  fetch: typeof fetch;
  clock: Clock;
  timeoutMs: number;
}

/** `POST {endpoint}/v1/projects/{projectId}/messages:send`, one request per push. */
export class HttpV1Sender implements PushSender {
  readonly target: string;

  constructor(private readonly options: HttpV1SenderOptions) {
    const base = options.endpoint.replace(/\/+$/, '');
    this.target = `${base}/v1/projects/${encodeURIComponent(options.projectId)}/messages:send`;
  }

  async send(push: FcmPush): Promise<void> {
    const { tokens, clock } = this.options;
    const accessToken = await tokens.get();
    let response: Response;
    let text: string;
    try {
      response = await this.options.fetch(this.target, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${accessToken}`,
          'content-type': 'application/json; charset=utf-8',
        },
        body: JSON.stringify(httpV1Body(push)),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      // Reading the body to the end lets the connection go back to the keep-alive pool
      // (a body longer than FCM ever sends is cut off instead).
      text = await readBody(response);
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      throw new FcmSendError(
        {
          code: timedOut ? 'TIMEOUT' : typeof code === 'string' ? code : 'NETWORK',
          message: `could not reach FCM at [${this.target}]: ${describe(error)}`,
          httpStatus: null,
          retryAfterMs: undefined,
          aboutToken: false,
        },
        { cause: error },
      );
    }
    if (response.ok) return;
    const retryAfter = response.headers.get('retry-after');
    const failure = failureFromResponse(response.status, retryAfter, text, clock.now());
    // THIRD_PARTY_AUTH_ERROR also comes as a 401, but it is not about our access token.
    if (response.status === 401 && failure.code !== 'THIRD_PARTY_AUTH_ERROR') {
      tokens.invalidate(accessToken);
    }
    throw new FcmSendError(failure);
  }
}

/** Sends through an injected firebase-admin `Messaging`; it handles credentials itself. */
export class MessagingSender implements PushSender {
  readonly target = 'firebase-admin Messaging';

  constructor(
    private readonly messaging: MessagingLike,
    private readonly clock: Clock,
  ) {}

  async send(push: FcmPush): Promise<void> {
    try {
      await this.messaging.send(adminMessage(push));
    } catch (error) {
      throw new FcmSendError(failureFromAdminError(error, this.clock.now()), { cause: error });
    }
  }
}
