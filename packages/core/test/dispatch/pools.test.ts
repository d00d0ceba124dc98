/**
 * Pools with a manual clock: a send that names a pool gets a member by the policy
 * (sticky sender, spread by contact), and queued pool messages move off a member
 * that cannot send (link lost, offline, capped, hand-off failed) to the others,
 * each handed off once. A message sent from one number never moves.
 */
import { describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../src/index.js';
import {
  createGateway,
  FakeTransport,
  HOUR_MS,
  ManualClock,
  silentLogger,
  TransportError,
} from '../../src/index.js';
import { createMemoryStore, memoryRawReader } from '../../src/store/memory/index.js';

const NUMBERS = ['+18005550101', '+18005550102', '+18005550103'];
const contact = (i: number) => `+1800555${String(2000 + i).padStart(4, '0')}`;

async function poolSetup() {
  const store = createMemoryStore();
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 12, 0, 0));
  const transport = new FakeTransport({ phones: [] });
  const gateway = createGateway({
    store,
    clock,
    logger: silentLogger,
    transports: [transport],
    nodeId: 'node-a',
    pools: { linkGraceMs: 30_000 },
  });
  const { record: account } = await gateway.accounts.create();
  const phones = [];
  for (const phoneNumber of NUMBERS) {
    const phone = await gateway.phones.upsert(account.id, { phoneNumber, messagesPerMinute: 0 });
    transport.setConnected(phone.id, true);
    phones.push(phone);
  }
  const pool = await gateway.pools.create(account.id, {
    name: 'senders',
    phoneIds: phones.map((p) => p.id),
    isDefault: true,
  });
  const rerouted: { id: string; from: string; to: string; reason: string }[] = [];
  gateway.on('message.rerouted', (e) => {
    rerouted.push({
      id: e.data.message_id,
      from: e.data.previous_owner,
      to: e.data.owner,
      reason: e.data.reason,
    });
  });
  const raw = memoryRawReader(store);
  const send = (to: string, from: string | undefined = `pool:${pool.id}`) =>
    gateway.messages.send(account.id, { from, to, content: 'hi' });
  const drain = async () => {
    while ((await gateway.dispatcher.runOnce()) > 0);
  };
  /** Hand-offs per message id (each message must be handed off once). */
  const handoffCounts = () => {
    const counts = new Map<string, number>();
    for (const id of transport.handedOff()) counts.set(id, (counts.get(id) ?? 0) + 1);
    return counts;
  };
  const stored = async (m: MessageRecord) => store.getMessage(m.accountId, m.id);
  const ownerOf = async (m: MessageRecord) => (await stored(m))?.owner;
  return {
    store,
    clock,
    transport,
    gateway,
    account,
    phones,
    pool,
    rerouted,
    raw,
    send,
    drain,
    handoffCounts,
    ownerOf,
    stored,
  };
}

describe('pools', () => {
  it('spreads contacts over the members and keeps each contact on its phone', async () => {
    const t = await poolSetup();
    const first = [];
    for (let i = 0; i < 30; i += 1) first.push(await t.send(contact(i)));
    const byOwner = new Map<string, number>();
    for (const m of first) byOwner.set(m.owner, (byOwner.get(m.owner) ?? 0) + 1);
    expect([...byOwner.keys()].sort()).toEqual(NUMBERS);
    for (const n of byOwner.values()) expect(n).toBeGreaterThanOrEqual(3);
    for (const m of first) expect(m.poolId).toBe(t.pool.id);
    // Sticky sender: the same contact keeps its phone, through the default pool too.
    for (let i = 0; i < 30; i += 1) {
      const again = await t.send(contact(i), undefined);
      expect(again.owner).toBe(first[i]?.owner);
    }
    await t.drain();
    expect([...t.handoffCounts().values()].every((n) => n === 1)).toBe(true);
    expect(t.handoffCounts().size).toBe(60);
  });

  it('moves the queued messages of a member whose link is lost, and hands each off once', async () => {
    const t = await poolSetup();
    const [a] = t.phones;
    await t.gateway.dispatcher.failover.runOnce(); // the links are seen now
    const sent = [];
    for (let i = 0; i < 30; i += 1) sent.push(await t.send(contact(i)));
    const onA = sent.filter((m) => m.owner === a?.phoneNumber);
    expect(onA.length).toBeGreaterThan(0);
    t.transport.setConnected(a!.id, false);
    // Within the grace period nothing moves.
    t.clock.advance(20_000);
    expect(await t.gateway.dispatcher.failover.runOnce()).toBe(0);
    t.clock.advance(20_000);
    expect(await t.gateway.dispatcher.failover.runOnce()).toBe(onA.length);
    expect(t.rerouted.map((r) => r.id).sort()).toEqual(onA.map((m) => m.id).sort());
    for (const r of t.rerouted) {
      expect(r).toMatchObject({ from: a?.phoneNumber, reason: 'link_lost' });
      expect(r.to).not.toBe(a?.phoneNumber);
    }
    await t.drain();
    const counts = t.handoffCounts();
    expect(counts.size).toBe(30);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    for (const h of t.transport.handoffs) expect(h.phoneId).not.toBe(a?.id);
    // The contact's sticky sender is now the new phone.
    const moved = onA[0] as MessageRecord;
    const next = await t.send(moved.contact);
    expect(next.owner).toBe(await t.ownerOf(moved));
  });

  it('moves the queued messages of a phone the heartbeat monitor marked offline', async () => {
    const t = await poolSetup();
    const [, b] = t.phones;
    const sent = [];
    for (let i = 0; i < 12; i += 1) sent.push(await t.send(contact(i)));
    await t.store.updatePhone(b!.id, { online: false });
    const onB = sent.filter((m) => m.owner === b?.phoneNumber);
    expect(await t.gateway.dispatcher.failover.runOnce()).toBe(onB.length);
    expect(new Set(t.rerouted.map((r) => r.reason))).toEqual(new Set(['offline']));
    // A new send skips the offline member.
    for (let i = 0; i < 12; i += 1)
      expect((await t.send(contact(i))).owner).not.toBe(b?.phoneNumber);
  });

  it('never moves a message sent from one number', async () => {
    const t = await poolSetup();
    const [a] = t.phones;
    await t.gateway.dispatcher.failover.runOnce();
    const direct = await t.send(contact(1), a?.phoneNumber);
    expect(direct.poolId).toBeNull();
    t.transport.setConnected(a!.id, false);
    t.clock.advance(60_000);
    expect(await t.gateway.dispatcher.failover.runOnce()).toBe(0);
    expect(await t.ownerOf(direct)).toBe(a?.phoneNumber);
    expect((await t.raw.message(direct.id))?.status).toBe('pending');
  });

  it('leaves the messages where they are when no other member can send', async () => {
    const t = await poolSetup();
    await t.gateway.dispatcher.failover.runOnce();
    const m = await t.send(contact(1));
    for (const p of t.phones) t.transport.setConnected(p.id, false);
    t.clock.advance(60_000);
    expect(await t.gateway.dispatcher.failover.runOnce()).toBe(0);
    expect(await t.stored(m)).toMatchObject({ owner: m.owner, status: 'pending' });
    // Back: it goes from its phone.
    for (const p of t.phones) t.transport.setConnected(p.id, true);
    await t.drain();
    expect(t.transport.handedOff()).toEqual([m.id]);
  });

  it('a capped member is skipped: its due message moves to a member with budget', async () => {
    const t = await poolSetup();
    const [a] = t.phones;
    await t.gateway.phones.upsert(t.account.id, {
      phoneNumber: a!.phoneNumber,
      messagesPerHour: 1,
    });
    const sent = [];
    for (let i = 0; i < 30; i += 1) sent.push(await t.send(contact(i)));
    const onA = sent.filter((m) => m.owner === a?.phoneNumber);
    expect(onA.length).toBeGreaterThan(1);
    await t.drain();
    // A hands off one; the others moved (capped) and went from the other members.
    const fromA = t.transport.handoffs.filter((h) => h.phoneId === a?.id);
    expect(fromA.flatMap((h) => h.messageIds)).toHaveLength(1);
    expect(t.rerouted.filter((r) => r.reason === 'capped')).toHaveLength(onA.length - 1);
    expect(t.handoffCounts().size).toBe(30);
    expect(t.clock.now()).toBeLessThan(Date.UTC(2026, 10, 24, 12, 0, 0) + HOUR_MS);
  });

  it('a hand-off that fails for good moves the message to another member', async () => {
    const t = await poolSetup();
    const m = await t.send(contact(7));
    t.transport.failMessage(m.id, new TransportError('rejected', { retryable: false }));
    await t.drain();
    expect(t.rerouted).toEqual([
      expect.objectContaining({ id: m.id, from: m.owner, reason: 'handoff_failed' }),
    ]);
    expect(t.transport.handedOff()).toEqual([m.id]);
    const row = await t.stored(m);
    expect(row?.owner).not.toBe(m.owner);
    expect(row).toMatchObject({ status: 'scheduled', sendAttemptCount: 1 });
  });

  it('refuses a pool send it cannot route, in the field that is wrong', async () => {
    const t = await poolSetup();
    const other = await t.gateway.accounts.create();
    const to = contact(1);
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: { fields?: unknown }) => e.fields,
      );
    expect(
      await failure(t.gateway.messages.send(t.account.id, { from: 'pool:nope', to, content: 'x' })),
    ).toHaveProperty('from');
    expect(
      await failure(
        t.gateway.messages.send(t.account.id, {
          from: NUMBERS[0],
          poolId: t.pool.id,
          to,
          content: 'x',
        }),
      ),
    ).toHaveProperty('pool_id');
    expect(
      await failure(t.gateway.messages.send(other.record.id, { to, content: 'x' })),
    ).toHaveProperty('from');
    expect(
      await failure(
        t.gateway.messages.send(other.record.id, { poolId: t.pool.id, to, content: 'x' }),
      ),
    ).toHaveProperty('pool_id');
    await t.gateway.pools.update(t.account.id, t.pool.id, { name: 'empty', phoneIds: [] });
    expect(
      await failure(t.gateway.messages.send(t.account.id, { poolId: t.pool.id, to, content: 'x' })),
    ).toHaveProperty('pool_id');
  });
});
