/**
 * `RadioPhone`: a `PhoneClient` with a radio driver behind it. The driver sends
 * what the gateway pushes, and what it receives (SMS, missed calls) goes to the
 * gateway through the client; its status (battery, signal) rides on heartbeats.
 */
import type { WelcomeFrame } from '../protocol.js';
import type { InboundCall, InboundSms, RadioDriver, RadioSink, Sim } from './drivers/driver.js';
import { PhoneRequestError } from './link.js';
import { PhoneClient } from './phone-client.js';
import type { PhoneClientOptions } from './phone-types.js';

export interface RadioPhoneOptions extends Omit<PhoneClientOptions, 'sender' | 'radioStatus'> {
  driver: RadioDriver;
}

/**
 * Request errors after which trying again cannot help (the gateway refused the
 * report as it is): the driver may drop the SMS rather than hold it for ever.
 */
const REFUSED_FOR_GOOD: ReadonlySet<string> = new Set([
  'validation',
  'bad_request',
  'payload_too_large',
]);

export class RadioPhone extends PhoneClient {
  readonly driver: RadioDriver;
  private started = false;

  constructor(options: RadioPhoneOptions) {
    const { driver, ...rest } = options;
    const status = driver.status?.bind(driver);
    super({ ...rest, sender: driver, ...(status ? { radioStatus: status } : {}) });
    this.driver = driver;
  }

  /**
   * Connects, then starts the radio: inbound traffic is reported once the gateway
   * has said which numbers this phone serves. Resolves at the first `welcome`.
   */
  async start(): Promise<WelcomeFrame> {
    const welcome = await this.connect();
    if (!this.started) {
      this.started = true;
      await this.driver.start(this.sink());
    }
    return welcome;
  }

  /** Stops the radio (a send in progress finishes), then closes the link. */
  async stop(): Promise<void> {
    if (this.started) {
      this.started = false;
      await this.driver.stop();
    }
    await this.close();
  }

  /** The number this phone serves on `sim` (the first one when none matches). */
  numberOn(sim: Sim | undefined): string | undefined {
    const phones = this.phones;
    return (phones.find((p) => p.sim === (sim ?? 'SIM1')) ?? phones[0])?.phone_number;
  }

  private sink(): RadioSink {
    const settle = async (what: string, report: () => Promise<unknown>) => {
      try {
        await report();
      } catch (error) {
        if (error instanceof PhoneRequestError && REFUSED_FOR_GOOD.has(error.code)) {
          this.emit('problem', error, `${what} refused by the gateway; dropped`);
          return;
        }
        throw error;
      }
    };
    return {
      received: (sms: InboundSms) =>
        settle(`SMS from ${sms.from}`, () =>
          this.reportReceived({
            from: sms.from,
            to: this.numberOn(sms.sim),
            content: sms.content,
            sim: sms.sim ?? 'SIM1',
            ...(sms.timestamp === undefined ? {} : { timestamp: sms.timestamp }),
          }),
        ),
      missedCall: (call: InboundCall) =>
        settle(`missed call from ${call.from}`, () =>
          this.reportMissedCall({
            from: call.from,
            to: this.numberOn(call.sim),
            sim: call.sim ?? 'SIM1',
            ...(call.timestamp === undefined ? {} : { timestamp: call.timestamp }),
          }),
        ),
      problem: (error, context) => this.emit('problem', error, context),
    };
  }
}
