/**
 * The shapes of the SMS PDU codec (3GPP TS 23.040 §9.2): what `encodeSubmit`, `encodeDeliver`
 * and `encodeStatusReport` take, and what `decodePdu` returns.
 */

export type Alphabet = 'gsm7' | 'ucs2';

export interface SubmitPart {
  /** The whole PDU in upper-case hex, starting with the SMSC field "00" (use the SIM's SMSC). */
  hex: string;
  /** TPDU length in octets (excludes the SMSC field): the number AT+CMGS=<length> needs. */
  length: number;
}

export interface SubmitOptions {
  /** Recipient: E.164 with "+" (international, TON 1) or national digits (TON unknown/ISDN). */
  to: string;
  text: string;
  /** Ask for a status report (TP-SRR). Default true. */
  statusReport?: boolean;
  /** Concatenation reference 0–255 for multipart messages (8-bit IEI 0x00). Default 0. */
  reference?: number;
  /** Relative validity period in minutes (TP-VPF relative); default none (TP-VPF 00). */
  validityMinutes?: number;
}

export interface Concat {
  reference: number;
  total: number;
  part: number;
}

export interface DeliverPdu {
  type: 'deliver';
  smsc: string | null;
  /** "+<digits>" for international numbers, the digits otherwise, the decoded text for alphanumeric senders. */
  from: string;
  /** TP-SCTS, with its time zone applied. */
  timestamp: Date;
  text: string;
  alphabet: Alphabet | '8bit';
  concat: Concat | null;
}

export interface SubmitPduDecoded {
  type: 'submit';
  to: string;
  messageReference: number;
  statusReport: boolean;
  text: string;
  alphabet: Alphabet | '8bit';
  concat: Concat | null;
}

export interface StatusReportPdu {
  type: 'status-report';
  smsc: string | null;
  messageReference: number;
  recipient: string;
  /** When the SMSC got the message (TP-SCTS). */
  submittedAt: Date;
  /** TP-DT: when it was delivered, or the status last changed. */
  dischargedAt: Date;
  /** TP-ST, 0–255. */
  status: number;
  /** 0x00–0x1F delivered/completed; 0x20–0x3F still trying; 0x40 and above: failed (no more tries). */
  outcome: 'delivered' | 'pending' | 'failed';
}

export type DecodedPdu = DeliverPdu | SubmitPduDecoded | StatusReportPdu;

/** Input to `encodeDeliver`: what an SMSC hands a modem. */
export interface DeliverOptions {
  /** "+<digits>", national digits, or an alphanumeric sender of at most 11 GSM-7 characters. */
  from: string;
  text: string;
  timestamp: Date;
  /** The SMSC's time zone in quarters of an hour (−79…79). Default 0. */
  timeZoneQuarters?: number;
  /** Default: no SMSC field ("00"). */
  smsc?: string;
  /** Concatenation reference for multipart messages (8-bit IEI). Default 0. */
  reference?: number;
}

/** Input to `encodeStatusReport`. */
export interface StatusReportOptions {
  messageReference: number;
  recipient: string;
  submittedAt: Date;
  dischargedAt: Date;
  status: number;
  timeZoneQuarters?: number;
  smsc?: string;
}
