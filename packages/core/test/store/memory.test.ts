import { describe, expect, it } from 'vitest';
import { createMemoryStore, memoryRawReader } from '../../src/store/memory/index.js';
import type { Store } from '../../src/store.js';
import { makeMessage } from '../../src/testing/index.js';

describe('memory store', () => {
  it('declares a single-process store without skip-locked claims or a notifier', () => {
    expect(createMemoryStore().capabilities).toEqual({
      skipLocked: false,
      listenNotify: false,
      multiProcess: false,
    });
  });

  it('rejects use of a transaction store after its transaction ended', async () => {
    const store = createMemoryStore();
    let leaked: Store | undefined;
    await store.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.getMessage('a', 'b')).rejects.toMatchObject({ code: 'store' });
    await expect(leaked!.transaction(async () => 1)).rejects.toMatchObject({ code: 'store' });
  });

  it('undoes only the failed operation when fn catches its error', async () => {
    const store = createMemoryStore();
    const raw = memoryRawReader(store);
    const existing = makeMessage();
    const first = makeMessage({ accountId: existing.accountId });
    const partial = makeMessage({ accountId: existing.accountId });
    await store.insertMessages([existing]);
    await store.transaction(async (tx) => {
      await tx.insertMessages([first]);
      await tx.insertMessages([partial, existing]).catch(() => undefined);
    });
    expect(await raw.message(first.id)).not.toBeNull();
    expect(await raw.message(partial.id)).toBeNull();
  });

  it('makes other callers wait until a running transaction ends', async () => {
    const store = createMemoryStore();
    const row = makeMessage();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tx = store.transaction(async (t) => {
      await t.insertMessages([row]);
      await gate;
      await t.transition(row.id, ['pending'], { status: 'canceled' });
    });
    const read = store.getMessage(row.accountId, row.id);
    release();
    await tx;
    expect((await read)?.status).toBe('canceled');
  });
});
