/**
 * An `AttachmentStore` on the local file system: each attachment is one file
 * under `dir`, at its key (`<account>/<message>/<index>/<name>`). Keys are
 * checked segment by segment, so no key can reach outside `dir`.
 */
import { mkdir, opendir, readFile, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { mediaTypeOf } from './media-types.js';
import type { AttachmentEntry, AttachmentStore } from './store.js';

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** The absolute file path of `key` inside `root`, or null when the key is not a safe relative path. */
export function attachmentPath(root: string, key: string): string | null {
  const segments = key.split('/');
  if (segments.length === 0 || segments.length > 8) return null;
  if (!segments.every((s) => s.length <= 255 && SEGMENT.test(s) && !s.includes('..'))) return null;
  const path = resolve(root, join(...segments));
  return path.startsWith(root + sep) ? path : null;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Every file below `dir`, depth first, one directory handle open at a time per level. */
async function* walk(dir: string): AsyncGenerator<string> {
  let handle: Awaited<ReturnType<typeof opendir>>;
  try {
    handle = await opendir(dir);
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  for await (const entry of handle) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/** Removes the now empty folders between `path` and `root` (a folder still in use stays). */
async function pruneFolders(root: string, path: string): Promise<void> {
  for (let dir = dirname(path); dir.startsWith(root + sep); dir = dirname(dir)) {
    try {
      await rmdir(dir);
    } catch {
      return;
    }
  }
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
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async delete(key) {
      const path = attachmentPath(root, key);
      if (!path) throw new Error(`unsafe attachment key [${key}]`);
      try {
        await unlink(path);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
      await pruneFolders(root, path);
    },
    async *list(): AsyncGenerator<AttachmentEntry> {
      for await (const path of walk(root)) {
        const info = await stat(path).catch(() => null);
        if (info) yield { key: relative(root, path).split(sep).join('/'), storedAt: info.mtimeMs };
      }
    },
  };
}
