/**
 * Where attachments of incoming MMS are kept. The gateway stores each file under
 * an unguessable key and records the key's public path on the message; the HTTP
 * layer serves it at `GET /v1/attachments/{key}`.
 */
export interface StoredAttachment {
  contentType: string;
  data: Uint8Array;
}

export interface AttachmentStore {
  /** Keeps the bytes under `key` (a relative path of safe characters). */
  put(key: string, attachment: StoredAttachment): Promise<void>;
  get(key: string): Promise<StoredAttachment | null>;
}

export function createMemoryAttachmentStore(): AttachmentStore {
  const files = new Map<string, StoredAttachment>();
  return {
    async put(key, attachment) {
      files.set(key, {
        contentType: attachment.contentType,
        data: new Uint8Array(attachment.data),
      });
    },
    async get(key) {
      const file = files.get(key);
      return file ? { contentType: file.contentType, data: new Uint8Array(file.data) } : null;
    },
  };
}
