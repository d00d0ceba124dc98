/**
 * An `AttachmentStore` on the local file system: each attachment is one file
 * under `dir`, at its key (`<account>/<message>/<index>/<name>`). Keys are
 * checked segment by segment, so no key can reach outside `dir`.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { AttachmentStore } from '../gateway/attachments.js';
import { mediaTypeOf } from './media-types.js';

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** The absolute file path of `key` inside `root`, or null when the key is not a safe relative path. */
export function attachmentPath(root: string, key: string): string | null {
  const segments = key.split('/');
  if (segments.length === 0 || segments.length > 8) return null;
  if (!segments.every((s) => s.length <= 255 && SEGMENT.test(s) && !s.includes('..'))) return null;
  const path = resolve(root, join(...segments));
  return path.startsWith(root + sep) ? path : null;
}

export function createDiskAttachmentStore(dir: string): AttachmentStore {
  const root = resolve(dir);
  let counter = 0;
  return {
    async put(key, attachment) {
      const path = attachmentPath(root, key);
      if (!path) throw new Error(`unsafe attachment key [${key}]`);
      await mkdir(dirname(path), { recursive: true });
      // Written aside then renamed, so a reader never sees half a file.
      const temporary = `${path}.${process.pid}.${++counter}.part`;
      await writeFile(temporary, attachment.data);
      await rename(temporary, path);
    },
    async get(key) {
      const path = attachmentPath(root, key);
      if (!path || path.endsWith('.part')) return null;
      try {
        return { contentType: mediaTypeOf(path), data: await readFile(path) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
  };
}
