/**
 * Stranded phones: a phone that registered an FCM token (the httpSMS app) waits
 * for pushes, so when no transport of this gateway reaches it (no FCM transport is
 * configured, and it holds no WebSocket here) nothing would ever hand it its
 * messages. The dispatcher claims only for phones it reaches, so such messages
 * would stay `pending` for ever, silently. Instead each one fails, with the reason,
 * once it has waited the phone's `message_expiration_seconds` past its due time;
 * the phone is also named in a warning when it registers and in the readiness check.
 */
import type { PhoneRecord } from '../domain/records.js';
import type { Store } from '../store.js';
import type { Transport } from '../transport.js';
import type { StepContext } from './handoff.js';
import { failMessage } from './handoff.js';

const PHONES_PER_PAGE = 500;

/**
 * Only a push wakes the phone, and no transport here can reach it. A gateway with no
 * transport at all hands nothing off (its host drives the phone API): nothing is stranded.
 */
export function isStranded(phone: PhoneRecord, transports: readonly Transport[]): boolean {
  return (
    phone.fcmToken !== null &&
    transports.length > 0 &&
    !transports.some((t) => t.reach().has(phone))
  );
}

export function strandedReason(phone: PhoneRecord): string {
  return (
    `no transport can reach phone [${phone.phoneNumber}]: it registered an FCM token, but this ` +
    'gateway sends no FCM pushes (configure FCM credentials, or connect the phone over WebSocket)'
  );
}

/** Every stranded phone, page by page. */
export async function* strandedPhones(
  store: Store,
  transports: readonly Transport[],
): AsyncGenerator<PhoneRecord> {
  if (transports.length === 0) return;
  for (let afterId: string | null = null; ; ) {
    const page = await store.listFcmPhones({ afterId, limit: PHONES_PER_PAGE });
    for (const phone of page) if (isStranded(phone, transports)) yield phone;
    if (page.length < PHONES_PER_PAGE) return;
    afterId = page[page.length - 1]?.id ?? null;
  }
}

/**
 * Fails the messages of stranded phones that have waited their expiry past their
 * due time; claims of younger rows are given back at once. Returns how many failed.
 */
export async function failStrandedMessages(
  s: StepContext,
  transports: readonly Transport[],
  options: { batchSize: number; leaseMs: number },
): Promise<number> {
  let failed = 0;
  for await (const phone of strandedPhones(s.ctx.store, transports)) {
    const expiryMs = (phone.messageExpirationSeconds || 600) * 1000;
    for (let more = true; more; ) {
      const now = s.ctx.clock.now();
      const rows = await s.ctx.store.claimDue({
        now,
        phoneIds: [phone.id],
        limit: options.batchSize,
        leaseMs: options.leaseMs,
        claimer: s.claimer,
      });
      more = rows.length === options.batchSize;
      // Claim order is due order: after the first young row, every row is young.
      let young = false;
      for (const row of rows) {
        young ||= (row.dueAt ?? now) + expiryMs > now;
        if (!young) {
          await failMessage(s, row, strandedReason(phone));
          failed += 1;
        } else {
          more = false;
          await s.ctx.store.transition(
            row.id,
            [row.status],
            { leaseOwner: null, leaseUntil: null },
            { leaseOwner: s.claimer },
          );
        }
      }
    }
  }
  return failed;
}
