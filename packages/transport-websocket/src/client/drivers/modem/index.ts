/** The `modem` radio driver: a GSM modem on a serial port, AT commands in PDU mode. */
export type { AtChannelOptions, CommandOptions, ModemPort, Urc } from './at.js';
export { AtChannel, AtClosedError, AtCommandError, AtTimeoutError } from './at.js';
export { cmeReason, cmsReason, reportFailure } from './codes.js';
export type { ModemDriver, ModemDriverOptions } from './modem-driver.js';
export { AMBIGUOUS_SEND, createModemDriver, MODEM_DEFAULTS } from './modem-driver.js';
export { ModemSetupError } from './setup.js';
