import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attachmentPath, createDiskAttachmentStore, mediaTypeOf } from '../../src/index.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('createDiskAttachmentStore', () => {
  it('keeps files under their key and tells the media type from the extension', async () => {
    dir = await mkdtemp(join(tmpdir(), 'textport-attachments-'));
    const store = createDiskAttachmentStore(dir);
    const data = new Uint8Array([1, 2, 3]);
    await store.put('acc/msg/0/photo.png', { contentType: 'image/png', data });
    const file = await store.get('acc/msg/0/photo.png');
    expect(file?.contentType).toBe('image/png');
    expect([...(file?.data ?? [])]).toEqual([1, 2, 3]);
    expect(await readdir(join(dir, 'acc', 'msg', '0'))).toEqual(['photo.png']);
    expect(await store.get('acc/msg/0/other.png')).toBeNull();
  });

  it('refuses keys that could leave the folder', async () => {
    dir = await mkdtemp(join(tmpdir(), 'textport-attachments-'));
    const store = createDiskAttachmentStore(dir);
    for (const key of [
      '../x',
      'a/../../x',
      '/etc/passwd',
      'a//b',
      'a/./b',
      '..',
      'a\\..\\b',
      '.hidden',
    ]) {
      expect(attachmentPath(dir, key), key).toBeNull();
      expect(await store.get(key)).toBeNull();
      await expect(
        store.put(key, { contentType: 'text/plain', data: new Uint8Array() }),
      ).rejects.toThrow();
    }
  });

  it('maps extensions to media types', () => {
    expect(mediaTypeOf('a.JPG')).toBe('image/jpeg');
    expect(mediaTypeOf('card.vcf')).toBe('text/vcard');
    expect(mediaTypeOf('blob.bin')).toBe('application/octet-stream');
    expect(mediaTypeOf('noext')).toBe('application/octet-stream');
    expect(mediaTypeOf('x.constructor')).toBe('application/octet-stream');
    expect(mediaTypeOf('x.__proto__')).toBe('application/octet-stream');
  });
});
