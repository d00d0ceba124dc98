/**
 * A virtual phone: a `PhoneClient` whose radio is simulated. Each message
 * "sends" after `delayMs`, fails with probability `failureRate`, and with
 * `deliver` is also reported DELIVERED. Used by the `textport-phone` command, and
 * embeddable in a server process for demos and tests.
 */

import type { RadioDriver } from './drivers/driver.js';
import { PhoneClient } from './phone-client.js';
import type { OutgoingSms, PhoneClientOptions, SendResult, SmsSender } from './phone-types.js';

export interface VirtualPhoneOptions extends Omit<PhoneClientOptions, 'sender'> {
  /** Time each simulated send takes (default 0). */
  delayMs?: number;
  /** Probability in [0, 1] that a send fails (default 0). */
  failureRate?: number;
  /** Also report DELIVERED after SENT. */
  deliver?: boolean;
  /** Receives one line per simulated send or failure (default: nothing). */
  log?: (line: string) => void;
}

/** What the simulated radio needs of the options. */
export type VirtualRadioOptions = Pick<
  VirtualPhoneOptions,
  'delayMs' | 'failureRate' | 'deliver' | 'log' | 'random' | 'charging'
>;

/** The reason a simulated failure reports (one of the Android app's radio errors). */
export const SIMULATED_FAILURE = 'GENERIC_FAILURE';

function check(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a number from ${min} to ${max}, got ${value}`);
  }
  return value;
}

export function createVirtualSender(options: VirtualRadioOptions): SmsSender & {
  sent: OutgoingSms[];
} {
  const delayMs = check('delayMs', options.delayMs ?? 0, 0, 3_600_000);
  const failureRate = check('failureRate', options.failureRate ?? 0, 0, 1);
  const random = options.random ?? Math.random;
  const log = options.log ?? (() => {});
  const sent: OutgoingSms[] = [];
  return {
    sent,
    async send(sms, report): Promise<SendResult> {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (failureRate > 0 && random() < failureRate) {
        log(`✗ ${sms.from} → ${sms.to} [${sms.sim}] ${sms.id}: ${SIMULATED_FAILURE}`);
        return { ok: false, reason: SIMULATED_FAILURE };
      }
      sent.push(sms);
      log(`✓ ${sms.from} → ${sms.to} [${sms.sim}] ${sms.id}: ${sms.content}`);
      if (options.deliver) report.delivered();
      return { ok: true };
    },
  };
}

export type VirtualSender = ReturnType<typeof createVirtualSender>;

/** A `PhoneClient` with a simulated radio; `sender.sent` lists what it "sent". */
export class VirtualPhone extends PhoneClient {
  readonly sender: VirtualSender;

  constructor(options: VirtualPhoneOptions) {
    const sender = createVirtualSender(options);
    super({ ...options, sender });
    this.sender = sender;
  }
}

export function createVirtualPhone(options: VirtualPhoneOptions): VirtualPhone {
  return new VirtualPhone(options);
}

/** The simulated radio as a `RadioDriver` (`textport-phone --driver virtual`). */
export function createVirtualDriver(options: VirtualRadioOptions = {}): RadioDriver & {
  sent: OutgoingSms[];
} {
  const sender = createVirtualSender(options);
  return {
    name: 'virtual',
    sent: sender.sent,
    send: (sms, report) => sender.send(sms, report),
    start: async () => {},
    stop: async () => {},
    status: async () => (options.charging ? { charging: options.charging() } : {}),
  };
}
