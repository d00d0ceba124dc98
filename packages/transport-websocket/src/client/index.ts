/** `@textport/transport-websocket/client`: the phone side of the WebSocket protocol. */
export { BoundedSet } from './bounded-set.js';
export type {
  InboundCall,
  InboundSms,
  RadioDriver,
  RadioSink,
  RadioStatus,
  Sim,
} from './drivers/driver.js';
export type { ModemDriver, ModemDriverOptions, ModemPort } from './drivers/modem/index.js';
export { AMBIGUOUS_SEND, createModemDriver, MODEM_DEFAULTS } from './drivers/modem/index.js';
export type { TermuxDriver, TermuxDriverOptions } from './drivers/termux.js';
export { createTermuxDriver, TERMUX_DEFAULTS } from './drivers/termux.js';
export type { JournalEntry, JournalState, SendJournal } from './journal.js';
export { FileJournal, MemoryJournal } from './journal.js';
export type { DisconnectInfo, PhoneTlsOptions } from './link.js';
export { DisconnectedError, PhoneRequestError } from './link.js';
export { DEFAULT_RECONNECT_POLICY, PhoneClient } from './phone-client.js';
export type {
  DeliveryReport,
  MissedCallInput,
  OutgoingSms,
  PhoneClientEvents,
  PhoneClientOptions,
  ReceivedSmsInput,
  SendResult,
  SmsSender,
} from './phone-types.js';
export { CANNOT_DECRYPT, INTERRUPTED, NO_ENCRYPTION_KEY } from './pushed.js';
export type { RadioPhoneOptions } from './radio-phone.js';
export { RadioPhone } from './radio-phone.js';
export type { ReportRetryPolicy } from './reports.js';
export { DEFAULT_REPORT_RETRY_POLICY, isRetryableReportError } from './reports.js';
export type { VirtualPhoneOptions, VirtualRadioOptions, VirtualSender } from './virtual-phone.js';
export {
  createVirtualDriver,
  createVirtualPhone,
  createVirtualSender,
  SIMULATED_FAILURE,
  VirtualPhone,
} from './virtual-phone.js';
