/**
 * Attachment files never outlive a failed receive: a receive whose commit fails
 * removes what it wrote (so the app's retries do not pile copies up), a file
 * that cannot be written takes the files before it along, and the sweep removes
 * the orphans a crash leaves (old enough, listed by no message) and nothing else.
 */
import { mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AttachmentStore, Principal, Store } from '../../src/index.js';
import {
  createDiskAttachmentStore,
  createGateway,
  ManualClock,
  silentLogger,
} from '../../src/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';

const OWNER = '+18005550199';
const PNG = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
const HOUR = 3_600_000;

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function files(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

/** A memory store whose next `failures` message inserts throw. */
function flakyStore(): { store: Store; fail: (n: number) => void } {
  const store = createMemoryStore();
  let failures = 0;
  const wrap = (s: Store): Store =>
    new Proxy(s, {
      get(target, name) {
        if (name === 'insertMessages') {
          return async (...args: Parameters<Store['insertMessages']>) => {
            if (failures > 0) {
              failures -= 1;
              throw new Error('the database is gone');
            }
            return target.insertMessages(...args);
          };
        }
        if (name === 'transaction') {
          return <T>(fn: (tx: Store) => Promise<T>) => target.transaction((tx) => fn(wrap(tx)));
        }
        const value = Reflect.get(target, name);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return {
    store: wrap(store),
    fail: (n) => {
      failures = n;
    },
  };
}

async function setup(attachments: AttachmentStore) {
  const { store, fail } = flakyStore();
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 12, 0, 0));
  const gateway = createGateway({ store, clock, logger: silentLogger, attachments });
  const { record: account } = await gateway.accounts.create({ email: 'ops@example.com' });
  await gateway.phones.upsert(account.id, { phoneNumber: OWNER });
  const user: Principal = { accountId: account.id, kind: 'user', keyId: null, phoneNumbers: null };
  const receive = () =>
    gateway.phoneApi.receive(user, {
      from: '+18005550100',
      to: OWNER,
      content: 'look',
      attachments: [
        { name: 'one.png', contentType: 'image/png', data: PNG },
        { name: 'two.png', contentType: 'image/png', data: PNG },
      ],
    });
  return { gateway, clock, fail, receive, account };
}

describe('attachment files of incoming MMS', () => {
  it('a receive whose commit fails leaves no file; the retry stores one set', async () => {
    dir = await mkdtemp(join(tmpdir(), 'textport-orphans-'));
    const t = await setup(createDiskAttachmentStore(dir));
    t.fail(3);
    for (let i = 0; i < 3; i++) await expect(t.receive()).rejects.toThrow('the database is gone');
    expect(await files(dir)).toEqual([]);
    const message = await t.receive();
    expect((await files(dir)).sort()).toEqual(['one.png', 'two.png']);
    expect(message.attachments).toHaveLength(2);
  });

  it('a file that cannot be written takes the ones written before it along', async () => {
    const written = new Map<string, number>();
    let puts = 0;
    const store: AttachmentStore = {
      async put(key) {
        if (++puts === 2) throw new Error('disk full');
        written.set(key, 0);
      },
      async get() {
        return null;
      },
      async delete(key) {
        written.delete(key);
      },
    };
    const t = await setup(store);
    await expect(t.receive()).rejects.toThrow('disk full');
    expect([...written.keys()]).toEqual([]);
  });

  it('the sweep removes old files no message lists, and keeps young and referenced ones', async () => {
    dir = await mkdtemp(join(tmpdir(), 'textport-orphans-'));
    const disk = createDiskAttachmentStore(dir);
    const t = await setup(disk);
    const kept = await t.receive();
    // A receive that crashed between its files and its commit, long ago.
    await disk.put(`${t.account.id}/00000000-0000-4000-8000-000000000000/0/lost.png`, {
      contentType: 'image/png',
      data: new Uint8Array([1]),
    });
    await disk.put(`${t.account.id}/${kept.id}/0/stray.png`, {
      contentType: 'image/png',
      data: new Uint8Array([1]),
    });
    const old = new Date(t.clock.now() - 2 * HOUR);
    for (const [folder, name] of [
      ['00000000-0000-4000-8000-000000000000', 'lost.png'],
      [kept.id, 'stray.png'],
      [kept.id, 'one.png'],
    ] as const) {
      await utimes(join(dir, t.account.id, folder, '0', name), old, old);
    }
    // A young orphan (a receive in flight) stays.
    await disk.put(`${t.account.id}/11111111-1111-4111-8111-111111111111/0/young.png`, {
      contentType: 'image/png',
      data: new Uint8Array([1]),
    });
    const young = new Date(t.clock.now() - 60_000);
    await utimes(
      join(dir, t.account.id, '11111111-1111-4111-8111-111111111111', '0', 'young.png'),
      young,
      young,
    );

    expect(await t.gateway.sweepAttachments()).toBe(2);
    expect((await files(dir)).sort()).toEqual(['one.png', 'two.png', 'young.png']);
    expect(await readdir(join(dir, t.account.id))).not.toContain(
      '00000000-0000-4000-8000-000000000000',
    );
    const served = kept.attachments?.[0]?.split('/v1/attachments/')[1] ?? '';
    expect(await disk.get(served)).not.toBeNull();
  });
});
