/**
 * `@textport/transport-smsgate`: the SMS Gateway for Android ("SMSGate") app and
 * clients against textport. See docs/smsgate-app.md.
 */
export * from './ids.js';
export { memoryStore } from './store/memory.js';
export * from './store/types.js';
export {
  basicAccount,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_USER_API_PATH,
  type SmsGateUserApi,
  smsgateUserApi,
} from './user/api.js';
export type { MessageState, RecipientState } from './user/state.js';
export type { DeviceLink, SmsGateUser, SmsGateUserApiOptions } from './user/types.js';
export * from './wire.js';
