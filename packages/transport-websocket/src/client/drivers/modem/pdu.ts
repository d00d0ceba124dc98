/**
 * SMS PDUs for a GSM modem in PDU mode (AT+CMGF=0), 3GPP TS 23.040 §9.2 with the alphabets of
 * TS 23.038: SMS-SUBMIT out; SMS-DELIVER and SMS-STATUS-REPORT in. Hex is as the modem prints
 * it, starting with the SMSC field. `encodeDeliver` and `encodeStatusReport` make what a modem
 * receives, for emulators and tests.
 *
 * - Encoding: pdu/encode.ts; decoding: pdu/decode.ts; the shapes both use: pdu/types.ts;
 *   address digits and time zones in semi-octets: pdu/semi-octets.ts; the GSM 7-bit alphabet
 *   and septet packing: gsm7.ts.
 */
export { decodePdu, MAX_PDU_HEX_LENGTH, outcomeOf, PduError } from './pdu/decode.js';
export {
  alphabetOf,
  encodeDeliver,
  encodeStatusReport,
  encodeSubmit,
  relativeValidity,
} from './pdu/encode.js';
export type {
  Alphabet,
  Concat,
  DecodedPdu,
  DeliverOptions,
  DeliverPdu,
  StatusReportOptions,
  StatusReportPdu,
  SubmitOptions,
  SubmitPart,
  SubmitPduDecoded,
} from './pdu/types.js';
