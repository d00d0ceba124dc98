/**
 * Readable words for the numbers a modem and the network answer with: `+CMS ERROR` (TS 27.005
 * §3.2.5, with the RP causes of TS 24.011 below 128), `+CME ERROR` (TS 27.007 §9.2) and the
 * status of an SMS-STATUS-REPORT (TP-ST, TS 23.040 §9.2.3.15).
 */

const CMS: Readonly<Record<number, string>> = {
  1: 'unassigned (unallocated) number',
  8: 'operator determined barring',
  10: 'call barred',
  21: 'short message transfer rejected',
  27: 'destination out of service',
  28: 'unidentified subscriber',
  29: 'facility rejected',
  30: 'unknown subscriber',
  38: 'network out of order',
  41: 'temporary failure',
  42: 'congestion',
  47: 'resources unavailable',
  50: 'requested facility not subscribed',
  69: 'requested facility not implemented',
  95: 'invalid message',
  96: 'invalid mandatory information',
  111: 'protocol error',
  127: 'interworking error',
  300: 'modem failure',
  301: "the modem's SMS service is reserved",
  302: 'operation not allowed',
  303: 'operation not supported',
  304: 'invalid PDU mode parameter',
  310: 'SIM not inserted',
  311: 'SIM PIN required',
  313: 'SIM failure',
  314: 'SIM busy',
  316: 'SIM PUK required',
  320: 'memory failure',
  321: 'invalid memory index',
  322: 'memory full',
  330: "SMSC address unknown (set the SIM's message centre number with AT+CSCA)",
  331: 'no network service',
  332: 'network timeout',
  340: 'no +CNMA acknowledgement expected',
  500: 'unknown error',
};

const CME: Readonly<Record<number, string>> = {
  3: 'operation not allowed',
  4: 'operation not supported',
  5: 'PH-SIM PIN required',
  10: 'SIM not inserted',
  11: 'SIM PIN required',
  12: 'SIM PUK required',
  13: 'SIM failure',
  14: 'SIM busy',
  15: 'SIM wrong',
  16: 'incorrect password',
  17: 'SIM PIN2 required',
  18: 'SIM PUK2 required',
  30: 'no network service',
  31: 'network timeout',
  100: 'unknown error',
};

/** TP-ST values 0x40 and above: the SMSC gave up on the message. */
const FAILED_STATUS: Readonly<Record<number, string>> = {
  64: 'remote procedure error',
  65: 'incompatible destination',
  66: 'connection rejected by the recipient',
  67: 'not obtainable',
  68: 'quality of service not available',
  69: 'no interworking available',
  70: 'validity period expired',
  71: 'deleted by the sender',
  72: 'deleted by the SMSC administration',
  73: 'the message does not exist',
  96: 'congestion',
  97: 'recipient busy',
  98: 'no response from the recipient',
  99: 'service rejected',
  100: 'quality of service not available',
  101: 'error in the recipient',
};

/** e.g. "network out of order (+CMS ERROR: 38)"; "CMS ERROR 999" for a number not in the table. */
export function cmsReason(code: number | null, line?: string): string {
  if (code === null) return line ? `the modem answered ${line}` : 'the modem answered ERROR';
  const words = CMS[code];
  return words ? `${words} (+CMS ERROR: ${code})` : `CMS ERROR ${code}`;
}

/** e.g. "incorrect password (+CME ERROR: 16)". */
export function cmeReason(code: number | null, line?: string): string {
  if (code === null) return line ? `the modem answered ${line}` : 'the modem answered ERROR';
  const words = CME[code];
  return words ? `${words} (+CME ERROR: ${code})` : `CME ERROR ${code}`;
}

/** Why the network gave up on a part, from TP-ST (0x40 and above). */
export function reportFailure(status: number): string {
  const hex = `0x${status.toString(16).padStart(2, '0')}`;
  const words = FAILED_STATUS[status];
  return `not delivered: ${words ?? 'the network gave up'} (status report ${hex})`;
}
