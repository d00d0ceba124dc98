import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/gateway/idempotency.js';
import { GatewayError } from '../../src/index.js';
import { CONTACT, OWNER, setup } from './helpers.js';

const input = { from: OWNER, to: CONTACT, content: 'pay 10 USD' };

describe('Idempotency-Key', () => {
  it('the same key and request within 24 h returns the original messages', async () => {
    const t = await setup();
    const first = await t.gateway.messages.send(t.account.id, input, { idempotencyKey: 'k-1' });
    t.clock.advance(23 * 3600_000);
    const again = await t.gateway.messages.send(t.account.id, input, { idempotencyKey: 'k-1' });
    expect(again.id).toBe(first.id);
    expect(await t.raw.countMessages(t.account.id)).toBe(1);
    const record = await t.raw.idempotency(t.account.id, 'k-1');
    expect(record?.messageIds).toEqual([first.id]);
  });

  it('fingerprints the request as stored records expect (a retry after an upgrade still replays)', async () => {
    const t = await setup();
    await t.gateway.messages.send(t.account.id, input, { idempotencyKey: 'k-pin' });
    const record = await t.raw.idempotency(t.account.id, 'k-pin');
    // The JSON of the checked request, in this key order: records written before compare with it.
    const request = {
      bulk: false,
      priority: 0,
      ttl: null,
      validUntil: null,
      sender: { number: OWNER },
      recipients: [CONTACT],
      content: input.content,
      attachments: null,
      encrypted: false,
      requestId: null,
      sendAt: null,
    };
    expect(record?.requestHash).toBe(fingerprint(request));
  });

  it('the same key with a different request is a conflict', async () => {
    const t = await setup();
    await t.gateway.messages.send(t.account.id, input, { idempotencyKey: 'k-2' });
    const error = await t.gateway.messages
      .send(t.account.id, { ...input, content: 'pay 99 USD' }, { idempotencyKey: 'k-2' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('idempotency_conflict');
    expect((error as GatewayError).httpStatus).toBe(409);
    expect(await t.raw.countMessages(t.account.id)).toBe(1);
  });

  it('after 24 h the key is free again', async () => {
    const t = await setup();
    const first = await t.gateway.messages.send(t.account.id, input, { idempotencyKey: 'k-3' });
    t.clock.advance(24 * 3600_000 + 1);
    const later = await t.gateway.messages.send(t.account.id, input, { idempotencyKey: 'k-3' });
    expect(later.id).not.toBe(first.id);
    expect(await t.raw.countMessages(t.account.id)).toBe(2);
  });

  it('concurrent requests with one key create the messages once', async () => {
    const t = await setup();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.gateway.messages.sendBulk(
          t.account.id,
          { from: OWNER, to: [CONTACT, '+18005550101'], content: 'once' },
          { idempotencyKey: 'k-4' },
        ),
      ),
    );
    const ids = new Set(results.flatMap((list) => list.map((m) => m.id)));
    expect(ids.size).toBe(2);
    expect(await t.raw.countMessages(t.account.id)).toBe(2);
  });

  it('keys are per account', async () => {
    const t = await setup();
    const other = await t.gateway.accounts.create();
    await t.gateway.phones.upsert(other.record.id, { phoneNumber: OWNER });
    const a = await t.gateway.messages.send(t.account.id, input, { idempotencyKey: 'shared' });
    const b = await t.gateway.messages.send(other.record.id, input, { idempotencyKey: 'shared' });
    expect(a.id).not.toBe(b.id);
    expect(b.accountId).toBe(other.record.id);
  });

  it('rejects a malformed key', async () => {
    const t = await setup();
    await expect(
      t.gateway.messages.send(t.account.id, input, { idempotencyKey: 'has space' }),
    ).rejects.toMatchObject({ code: 'validation' });
  });
});
