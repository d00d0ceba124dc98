/**
 * Outgoing SMS, one at a time: each message is encoded in SMS-SUBMIT parts and each part
 * submitted with `AT+CMGS`. SENT only when the modem accepted every part. A part whose prompt
 * never came was not submitted: it goes again once the modem is reset. A part whose PDU was
 * written but never acknowledged may have gone out: the message fails and is not retried.
 */
import type { DeliveryReport, OutgoingSms, SendResult } from '../../phone-types.js';
import { type AtChannel, AtClosedError, AtCommandError, AtTimeoutError } from './at.js';
import { cmeReason, cmsReason } from './codes.js';
import { encodeSubmit, type SubmitPart } from './pdu.js';
import type { DeliveryTracker } from './tracker.js';

/** The answer for a message whose PDU the modem took but never acknowledged. */
export const AMBIGUOUS_SEND =
  'the modem stopped answering during the send; not retried, to avoid sending twice';

export interface OutboundHost {
  /** Runs `work` with the modem to itself (after a reset when one is due). */
  exclusive<T>(work: (at: AtChannel) => Promise<T>): Promise<T>;
  readonly tracker: DeliveryTracker;
  readonly commandTimeoutMs: number;
  readonly sendTimeoutMs: number;
  readonly statusReports: boolean;
  /** False once the driver is stopping: new messages are refused, and no reset is tried. */
  accepting(): boolean;
  log(line: string): void;
}

/** Tries of a part whose prompt never came (nothing was submitted). */
const SEND_TRIES = 3;
const RECIPIENT = /^\+?[0-9]{1,20}$/;

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** The modem did not answer: a reset is due. */
export function unanswered(error: unknown): error is AtTimeoutError | AtClosedError {
  return error instanceof AtTimeoutError || error instanceof AtClosedError;
}

/** Why the message cannot be sent as it is, or null. */
function refusal(sms: OutgoingSms): string | null {
  if (sms.attachments && sms.attachments.length > 0) {
    return 'a GSM modem sends SMS only; attachments (MMS) are not supported';
  }
  if (!RECIPIENT.test(sms.to.trim())) {
    return `the recipient must be one phone number (digits, optional +), got ${JSON.stringify(sms.to)}`;
  }
  return sms.content ? null : 'the message is empty';
}

export class OutboundQueue {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: OutboundHost,
    /** The concatenation reference of the next multipart message (0–255). */
    private reference: number,
  ) {}

  /** Queued while the driver runs; what was queued before `stop()` is still sent. */
  send(sms: OutgoingSms, report: DeliveryReport): Promise<SendResult> {
    if (!this.host.accepting()) {
      return Promise.resolve({
        ok: false,
        reason: 'the modem driver is stopped; the message was not sent',
      });
    }
    const result = this.queue.then(() => this.sendNow(sms, report));
    this.queue = result.catch(() => {});
    return result;
  }

  /** Resolves when every message queued so far is settled. */
  idle(): Promise<unknown> {
    return this.queue;
  }

  private async sendNow(sms: OutgoingSms, report: DeliveryReport): Promise<SendResult> {
    const refused = refusal(sms);
    if (refused) return { ok: false, reason: refused };
    const to = sms.to.trim();
    let parts: SubmitPart[];
    try {
      parts = encodeSubmit({
        to,
        text: sms.content,
        statusReport: this.host.statusReports,
        reference: this.reference,
      });
    } catch (error) {
      return { ok: false, reason: asError(error).message };
    }
    if (parts.length > 1) this.reference = (this.reference + 1) & 0xff;
    const mrs: number[] = [];
    for (const [i, part] of parts.entries()) {
      const outcome = await this.submit(part);
      if (typeof outcome === 'string') {
        const which = parts.length > 1 ? `part ${i + 1} of ${parts.length}: ` : '';
        const before = mrs.length > 0 ? ` (the modem took parts 1–${mrs.length})` : '';
        this.host.log(`not sent ${sms.id} to ${to}: ${which}${outcome}`);
        return { ok: false, reason: `${which}${outcome}${before}` };
      }
      mrs.push(outcome);
    }
    if (this.host.statusReports) this.host.tracker.track(to, mrs, report);
    this.host.log(`sent ${sms.id} to ${to} (message references ${mrs.join(', ')})`);
    return { ok: true };
  }

  /** The part's message reference, or why it was not accepted. */
  private async submit(part: SubmitPart): Promise<number | string> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.host.exclusive((at) =>
          at.submit(part.length, part.hex, {
            promptTimeoutMs: this.host.commandTimeoutMs,
            answerTimeoutMs: this.host.sendTimeoutMs,
          }),
        );
      } catch (error) {
        if (error instanceof AtCommandError) {
          return error.kind === 'CME'
            ? cmeReason(error.code, error.result)
            : cmsReason(error.code, error.result);
        }
        if (unanswered(error) && error.pduWritten) return AMBIGUOUS_SEND;
        // No prompt: nothing was submitted, so it goes again once the modem is reset.
        if (unanswered(error) && attempt < SEND_TRIES && this.host.accepting()) continue;
        return `the modem is not answering: ${asError(error).message}`;
      }
    }
  }
}
