/**
 * `@textport/transport-smsgate`: the SMS Gateway for Android ("SMSGate") app and
 * clients against textport. See docs/smsgate-app.md.
 */
export * from './ids.js';
export { memoryStore } from './store/memory.js';
export * from './store/types.js';
export * from './wire.js';
