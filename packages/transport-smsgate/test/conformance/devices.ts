/** Devices: insert, lookups (id, token hash), the account's list, patches, deletes. */
import { expect, it } from 'vitest';
import { hashToken, newSecret } from '../../src/ids.js';
import { type Group, makeDevice, newAccount } from './context.js';

export const devicesGroup: Group = (ctx) => {
  it('stores a device and reads it back by id and by token hash, field for field', async () => {
    const accountId = await newAccount(ctx);
    const device = makeDevice(accountId, {
      name: 'Pixel 🚀 “Ünïcode” ☃',
      keyId: 'key-1',
      simCards: [
        { slotIndex: 0, simNumber: 1, phoneNumber: '*******1234', carrierName: 'Ørange 📶' },
        { slotIndex: 1, simNumber: 2, iccid: '***************6789' },
      ],
      phoneNumbers: ['+18005550199', '+18005550198'],
      createdAt: 1_700_000_000_123,
      updatedAt: 1_700_000_000_456,
      lastSeen: 1_700_000_000_789,
    });
    await ctx.store.insertDevice(device);
    expect(await ctx.store.getDevice(device.id)).toEqual(device);
    expect(await ctx.store.findDeviceByTokenHash(device.tokenHash)).toEqual(device);
    expect(await ctx.store.findDeviceByTokenHash(hashToken('someone else'))).toBeNull();
    expect(await ctx.store.getDevice('no-such-device')).toBeNull();
  });

  it('keeps null name, key and SIM list as null', async () => {
    const accountId = await newAccount(ctx);
    const device = makeDevice(accountId, { name: null, keyId: null, simCards: null });
    await ctx.store.insertDevice(device);
    expect(await ctx.store.getDevice(device.id)).toEqual(device);
  });

  it('refuses a second device with the same id or the same token hash', async () => {
    const accountId = await newAccount(ctx);
    const device = makeDevice(accountId);
    await ctx.store.insertDevice(device);
    await expect(
      ctx.store.insertDevice({ ...device, tokenHash: hashToken(newSecret()) }),
    ).rejects.toThrow();
    const other = makeDevice(accountId, { tokenHash: device.tokenHash });
    await expect(ctx.store.insertDevice(other)).rejects.toThrow();
    expect(await ctx.store.getDevice(other.id)).toBeNull();
    expect(await ctx.store.findDeviceByTokenHash(device.tokenHash)).toEqual(device);

    const third = makeDevice(accountId);
    await ctx.store.insertDevice(third);
    await expect(
      ctx.store.updateDevice(third.id, { tokenHash: device.tokenHash }),
    ).rejects.toThrow();
    expect(await ctx.store.getDevice(third.id)).toEqual(third);
  });

  it("lists an account's devices oldest first (ties by id), and only that account's", async () => {
    const accountId = await newAccount(ctx);
    const otherAccount = await newAccount(ctx);
    const late = makeDevice(accountId, { id: 'dev-c', createdAt: 3_000 });
    const tieB = makeDevice(accountId, { id: 'dev-b', createdAt: 2_000 });
    const tieA = makeDevice(accountId, { id: 'dev-a', createdAt: 2_000 });
    const early = makeDevice(accountId, { id: 'dev-z', createdAt: 1_000 });
    // Ids are global: the other account's device needs an id of its own.
    const foreign = makeDevice(otherAccount, { createdAt: 500 });
    for (const d of [late, tieB, foreign, tieA, early]) {
      await ctx.store.insertDevice({ ...d, id: `${accountId}-${d.id}` });
    }
    const listed = await ctx.store.listDevices(accountId);
    expect(listed.map((d) => d.id)).toEqual(
      [early, tieA, tieB, late].map((d) => `${accountId}-${d.id}`),
    );
    expect((await ctx.store.listDevices(otherAccount)).map((d) => d.id)).toEqual([
      `${accountId}-${foreign.id}`,
    ]);
    expect(await ctx.store.listDevices('no-such-account')).toEqual([]);
  });

  it('patches only the fields given and returns the device as stored', async () => {
    const accountId = await newAccount(ctx);
    const device = makeDevice(accountId);
    await ctx.store.insertDevice(device);
    const tokenHash = hashToken(newSecret());
    const updated = await ctx.store.updateDevice(device.id, {
      lastSeen: 5_000,
      updatedAt: 4_000,
      tokenHash,
      simCards: null,
      name: 'renamed ✨',
    });
    const expected = {
      ...device,
      lastSeen: 5_000,
      updatedAt: 4_000,
      tokenHash,
      simCards: null,
      name: 'renamed ✨',
    };
    expect(updated).toEqual(expected);
    expect(await ctx.store.getDevice(device.id)).toEqual(expected);
    expect(await ctx.store.findDeviceByTokenHash(tokenHash)).toEqual(expected);
    expect(await ctx.store.findDeviceByTokenHash(device.tokenHash)).toBeNull();

    // A field given as undefined is left alone, like a field left out.
    const again = await ctx.store.updateDevice(device.id, { name: undefined, lastSeen: 6_000 });
    expect(again).toEqual({ ...expected, lastSeen: 6_000 });
    expect(await ctx.store.updateDevice('no-such-device', { lastSeen: 1 })).toBeNull();
  });

  it('deletes a device only for its own account', async () => {
    const accountId = await newAccount(ctx);
    const otherAccount = await newAccount(ctx);
    const device = makeDevice(accountId);
    await ctx.store.insertDevice(device);
    expect(await ctx.store.deleteDevice(otherAccount, device.id)).toBe(false);
    expect(await ctx.store.getDevice(device.id)).toEqual(device);
    expect(await ctx.store.deleteDevice(accountId, device.id)).toBe(true);
    expect(await ctx.store.getDevice(device.id)).toBeNull();
    expect(await ctx.store.findDeviceByTokenHash(device.tokenHash)).toBeNull();
    expect(await ctx.store.listDevices(accountId)).toEqual([]);
    expect(await ctx.store.deleteDevice(accountId, device.id)).toBe(false);
  });

  it('hands out copies: changing a returned device changes nothing stored', async () => {
    const accountId = await newAccount(ctx);
    const device = makeDevice(accountId);
    await ctx.store.insertDevice(device);
    const read = await ctx.store.getDevice(device.id);
    read?.phoneNumbers.push('+18005550000');
    device.phoneNumbers.push('+18005550001');
    expect((await ctx.store.getDevice(device.id))?.phoneNumbers).toEqual(['+18005550199']);
  });
};
