/**
 * `@textport/transport-fcm`: wakes the httpSMS Android app with FCM HTTP v1 data
 * messages. Build it with `fcmTransport({ credentials })` and pass it to
 * `createGateway({ store, transports: [fcm] })`; the gateway starts it with its
 * `TransportHost`, through which dead tokens are cleared. See the README and
 * `docs/android-app.md`.
 */
export { FCM_SCOPE, JWT_BEARER_GRANT } from './access-token.js';
export type { ServiceAccountCredentials } from './credentials.js';
export { GOOGLE_TOKEN_URI } from './credentials.js';
export type { FcmFailure } from './errors.js';
export { FcmSendError, parseRetryAfter, QUOTA_BACKOFF_MS } from './errors.js';
export type { FcmTransportOptions, InvalidTokenEvent, ResolvedFcmOptions } from './options.js';
export { DEFAULT_FCM_ENDPOINT } from './options.js';
export type { FcmPush } from './payloads.js';
export { KEY_HEARTBEAT_ID, KEY_MESSAGE_ID } from './payloads.js';
export type { FcmAdminMessage, MessagingLike } from './senders.js';
export { FcmTransport, fcmTransport } from './transport.js';
