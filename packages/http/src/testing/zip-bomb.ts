/**
 * Zip bombs for tests of upload paths: a zip container around already deflated
 * entries, and entries of many MiB of zeros built without holding them (a few KB
 * each), so a test can send "1 GiB" in a 3 MB upload and see that the server
 * stops inflating early.
 */
import { Buffer } from 'node:buffer';
import { constants, deflateRawSync } from 'node:zlib';

const MIB = 1024 * 1024;

export interface DeflatedEntry {
  name: string;
  /** Raw deflate data. */
  deflated: Buffer;
  size: number;
}

/** A zip of already deflated entries (CRCs left 0: nothing here reads that far). */
export function zipOf(entries: readonly DeflatedEntry[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(e.deflated.length, 18);
    local.writeUInt32LE(Math.min(e.size, 0xffffffff), 22);
    local.writeUInt16LE(name.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt32LE(e.deflated.length, 20);
    dir.writeUInt32LE(Math.min(e.size, 0xffffffff), 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    locals.push(local, name, e.deflated);
    central.push(dir, name);
    offset += local.length + name.length + e.deflated.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export function deflated(name: string, data: Uint8Array | string): DeflatedEntry {
  const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
  return { name, deflated: deflateRawSync(bytes), size: bytes.length };
}

/**
 * `mib` MiB of zeros as raw deflate, built without holding them: one MiB deflated
 * with a sync flush (a non-final block, about 1 KB), repeated, then a final empty block.
 */
export function deflatedZeros(name: string, mib: number): DeflatedEntry {
  const block = deflateRawSync(Buffer.alloc(MIB), {
    level: 9,
    finishFlush: constants.Z_SYNC_FLUSH,
  });
  const deflated = Buffer.concat([
    ...Array.from({ length: mib }, () => block),
    Buffer.from([3, 0]),
  ]);
  return { name, deflated, size: mib * MIB };
}
