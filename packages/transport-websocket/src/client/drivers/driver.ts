/**
 * The radio behind a `PhoneClient`: a driver sends SMS (`SmsSender`), and reports
 * what the radio receives (SMS, missed calls) and knows (battery, signal) through
 * the `RadioSink` it is started with. Drivers: `virtual` (simulated), `termux`
 * (an Android phone under Termux:API), `modem` (a GSM modem on a serial port).
 */
import type { SmsSender } from '../phone-types.js';

export type Sim = 'SIM1' | 'SIM2';

/** An SMS the radio received (multipart messages already reassembled). */
export interface InboundSms {
  /** The sender, as the radio gave it (E.164 when it is international). */
  from: string;
  content: string;
  sim?: Sim;
  /** When the network says it was sent (the SMSC timestamp) or the radio got it. */
  timestamp?: Date | number;
}

/** A call the radio saw ring and not answered. */
export interface InboundCall {
  from: string;
  sim?: Sim;
  timestamp?: Date | number;
}

/** What the radio knows about itself; a field it does not know is left out. */
export interface RadioStatus {
  /** Battery charge, 0–100. */
  batteryLevel?: number;
  charging?: boolean;
  /** Received signal strength in dBm (e.g. -113 … -51). */
  signalDbm?: number;
  /** Network registration. */
  registration?: 'home' | 'roaming' | 'searching' | 'denied' | 'unregistered' | 'unknown';
  /** The network operator's name, when the radio reports it. */
  operator?: string;
}

/**
 * Where a driver reports inbound traffic. Each call resolves once the gateway has
 * stored the report (it waits for a connection while offline) and rejects when the
 * gateway refused it: a driver deletes an SMS from the modem, or remembers it as
 * reported, only after the promise resolves, so nothing is lost across a crash.
 */
export interface RadioSink {
  received(sms: InboundSms): Promise<void>;
  missedCall(call: InboundCall): Promise<void>;
  /** Something the driver could not do but carried on after (logged by the CLI). */
  problem(error: Error, context: string): void;
}

export interface RadioDriver extends SmsSender {
  /** `virtual`, `termux` or `modem`. */
  readonly name: string;
  /** Opens the radio and starts watching for inbound traffic. */
  start(sink: RadioSink): Promise<void>;
  /** Stops watching and releases the radio; a send in progress is finished first. */
  stop(): Promise<void>;
  /** The radio's state for the next heartbeat; omit what it cannot tell. */
  status?(): Promise<RadioStatus>;
}
