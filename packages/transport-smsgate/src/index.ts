/**
 * `@textport/transport-smsgate`: the SMS Gateway for Android ("SMSGate") app and
 * clients against textport. See docs/smsgate-app.md.
 */

export { signWebhook } from './device/inbound.js';
export * from './ids.js';
export type { PrivateTokenOption, SmsGateTransportOptions } from './options.js';
export { DEFAULT_SMSGATE_OPTIONS } from './options.js';
export { encodeEvent, KEEPALIVE_FRAME } from './sse/stream.js';
export { memoryStore } from './store/memory.js';
export * from './store/types.js';
export { INBOUND_MEMORY_MS, SmsGateTransport, smsgateTransport } from './transport.js';
export {
  basicAccount,
  basicLogin,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_USER_API_PATH,
  type SmsGateUserApi,
  smsgateUserApi,
} from './user/api.js';
export type { MessageState, RecipientState } from './user/state.js';
export type { DeviceLink, SmsGateUser, SmsGateUserApiOptions } from './user/types.js';
export * from './wire.js';
