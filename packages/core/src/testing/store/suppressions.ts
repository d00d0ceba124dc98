/** Conformance (SuppressionStore): an account's opt-outs, one per (account, owner, contact). */
import { expect, it } from 'vitest';
import { makeSuppression, randomPhoneNumber } from '../fixtures.js';
import { type GroupContext, ids, uuid } from './context.js';

export function suppressionsGroup(ctx: GroupContext): void {
  it('adds a suppression once per owner and contact, keeping the first row', async () => {
    const accountId = uuid();
    const contact = randomPhoneNumber();
    const owner = randomPhoneNumber();
    const first = makeSuppression({ accountId, contact });
    expect(await ctx.store.addSuppression(first)).toEqual(first);
    const again = makeSuppression({ accountId, contact, source: 'api', keyword: null });
    expect(await ctx.store.addSuppression(again)).toEqual(first);
    const perPhone = makeSuppression({ accountId, contact, owner });
    expect(await ctx.store.addSuppression(perPhone)).toEqual(perPhone);
    // Another account's row with the same contact is its own.
    await ctx.store.addSuppression(makeSuppression({ contact }));
    expect(await ctx.raw.suppressions(accountId)).toEqual(
      [
        { id: first.id, owner: '', contact },
        { id: perPhone.id, owner, contact },
      ].sort((a, b) => (a.owner < b.owner ? -1 : 1)),
    );
    expect(await ctx.store.getSuppression(accountId, first.id)).toEqual(first);
    expect(await ctx.store.getSuppression(uuid(), first.id)).toBeNull();
  });

  it('adds inside a transaction without breaking it when the row exists', async () => {
    const accountId = uuid();
    const first = makeSuppression({ accountId });
    await ctx.store.addSuppression(first);
    const other = makeSuppression({ accountId });
    await ctx.store.transaction(async (tx) => {
      expect(await tx.addSuppression({ ...first, id: uuid() })).toEqual(first);
      await tx.addSuppression(other);
    });
    expect(ids(await ctx.raw.suppressions(accountId)).sort()).toEqual([first.id, other.id].sort());
  });

  it('finds the suppressions of contacts for the given owners only', async () => {
    const accountId = uuid();
    const [a, b, c] = [randomPhoneNumber(), randomPhoneNumber(), randomPhoneNumber()];
    const owner = randomPhoneNumber();
    const wide = makeSuppression({ accountId, contact: a, createdAt: 1_000 });
    const onOwner = makeSuppression({ accountId, contact: b, owner, createdAt: 2_000 });
    const elsewhere = makeSuppression({ accountId, contact: c, owner: randomPhoneNumber() });
    for (const row of [wide, onOwner, elsewhere]) await ctx.store.addSuppression(row);
    const found = await ctx.store.findSuppressions({
      accountId,
      contacts: [a, b, c, randomPhoneNumber()],
      owners: ['', owner],
    });
    expect(ids(found)).toEqual([onOwner.id, wide.id]);
    expect(
      await ctx.store.findSuppressions({ accountId, contacts: [a, b, c], owners: [owner] }),
    ).toEqual([onOwner]);
    expect(await ctx.store.findSuppressions({ accountId, contacts: [], owners: [''] })).toEqual([]);
    expect(
      await ctx.store.findSuppressions({ accountId: uuid(), contacts: [a], owners: [''] }),
    ).toEqual([]);
  });

  it('lists newest first with paging and a text query', async () => {
    const accountId = uuid();
    const rows = [1, 2, 3].map((n) =>
      makeSuppression({ accountId, contact: `+1201555000${n}`, createdAt: n * 1000 }),
    );
    for (const row of rows) await ctx.store.addSuppression(row);
    const [one, two, three] = rows;
    expect(ids(await ctx.store.listSuppressions({ accountId, skip: 0, limit: 10 }))).toEqual(
      [three, two, one].map((row) => row?.id),
    );
    expect(ids(await ctx.store.listSuppressions({ accountId, skip: 1, limit: 1 }))).toEqual([
      two?.id,
    ]);
    const query = { accountId, skip: 0, limit: 10, query: '5550002' };
    expect(ids(await ctx.store.listSuppressions(query))).toEqual([two?.id]);
  });

  it('deletes one by id, or the rows of a contact (an opt-in)', async () => {
    const accountId = uuid();
    const contact = randomPhoneNumber();
    const owner = randomPhoneNumber();
    const wide = makeSuppression({ accountId, contact, createdAt: 1_000 });
    const onOwner = makeSuppression({ accountId, contact, owner, createdAt: 2_000 });
    const other = makeSuppression({ accountId });
    for (const row of [wide, onOwner, other]) await ctx.store.addSuppression(row);
    expect(await ctx.store.deleteSuppression(uuid(), other.id)).toBeNull();
    expect(await ctx.store.deleteSuppression(accountId, other.id)).toEqual(other);
    expect(await ctx.store.deleteSuppression(accountId, other.id)).toBeNull();
    const lifted = await ctx.store.deleteSuppressions({
      accountId,
      contacts: [contact],
      owners: ['', owner],
    });
    expect(ids(lifted)).toEqual([onOwner.id, wide.id]);
    expect(await ctx.raw.suppressions(accountId)).toEqual([]);
    // Once lifted, the same contact can be suppressed again.
    const again = makeSuppression({ accountId, contact });
    expect(await ctx.store.addSuppression(again)).toEqual(again);
  });
}
