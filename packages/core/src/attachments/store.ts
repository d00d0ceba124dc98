/**
 * Where attachments of incoming MMS are kept. The gateway stores each file under
 * an unguessable key and records the key's public path on the message; the HTTP
 * layer serves it at `GET /v1/attachments/{key}`.
 *
 * Files are written before the message commits (the message must never point at
 * a missing file). A receive that fails removes what it wrote; `list` lets the
 * gateway sweep the files of a receive that crashed in between (see
 * `sweepAttachments`).
 */
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';

export interface StoredAttachment {
  contentType: string;
  data: Uint8Array;
}

export interface AttachmentEntry {
  key: string;
  /** When the file was written (epoch milliseconds). */
  storedAt: number;
}

export interface AttachmentStore {
  /** Keeps the bytes under `key` (a relative path of safe characters). */
  put(key: string, attachment: StoredAttachment): Promise<void>;
  get(key: string): Promise<StoredAttachment | null>;
  /** Removes the file at `key`; a missing file is no error. */
  delete(key: string): Promise<void>;
  /** Every stored key, for the orphan sweep; a store without it is not swept. */
  list?(): AsyncIterable<AttachmentEntry>;
}

export function createMemoryAttachmentStore(clock: Clock = systemClock): AttachmentStore {
  const files = new Map<string, StoredAttachment & { storedAt: number }>();
  return {
    async put(key, attachment) {
      files.set(key, {
        contentType: attachment.contentType,
        data: new Uint8Array(attachment.data),
        storedAt: clock.now(),
      });
    },
    async get(key) {
      const file = files.get(key);
      return file ? { contentType: file.contentType, data: new Uint8Array(file.data) } : null;
    },
    async delete(key) {
      files.delete(key);
    },
    async *list() {
      for (const [key, file] of [...files]) yield { key, storedAt: file.storedAt };
    },
  };
}
