/** Attachments of incoming MMS: validated (types, sizes), stored, and given public paths. */
import type { AttachmentInput } from '../phone-api.js';
import type { GatewayContext } from '../uow/context.js';
import type { Checker } from './validate.js';

export type { AttachmentInput } from '../phone-api.js';

interface CheckedFile {
  name: string;
  contentType: string;
  bytes: Uint8Array;
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'image/bmp': '.bmp',
  'video/mp4': '.mp4',
  'video/3gpp': '.3gp',
  'audio/mpeg': '.mp3',
  'audio/ogg': '.ogg',
  'audio/amr': '.amr',
  'application/pdf': '.pdf',
  'text/vcard': '.vcf',
  'text/x-vcard': '.vcf',
};

export const MAX_ATTACHMENT_BYTES = 1_572_864;
export const MAX_ATTACHMENTS_TOTAL_BYTES = 3_145_728;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Only the table's own keys: `constructor` or `__proto__` are no media types. */
function isSupported(contentType: string): boolean {
  return Object.hasOwn(EXTENSIONS, contentType);
}

export function extensionFor(contentType: string): string {
  return isSupported(contentType) ? (EXTENSIONS[contentType] ?? '.bin') : '.bin';
}

export function validateAttachments(
  check: Checker,
  input: readonly AttachmentInput[] | null | undefined,
): CheckedFile[] {
  if (!input || input.length === 0) return [];
  if (input.length > 10) {
    check.add('attachments', 'The attachments field must have at most 10 items');
    return [];
  }
  let total = 0;
  const files: CheckedFile[] = [];
  input.forEach((file, i) => {
    if (!isSupported(file.contentType)) {
      check.add(
        'attachments',
        `attachment [${i}] has an unsupported content type [${file.contentType}]`,
      );
      return;
    }
    let bytes: Uint8Array;
    if (typeof file.data === 'string') {
      if (!BASE64.test(file.data)) {
        check.add('attachments', `attachment [${i}] content is not valid base64`);
        return;
      }
      bytes = Buffer.from(file.data, 'base64');
    } else {
      bytes = file.data;
    }
    if (bytes.length > MAX_ATTACHMENT_BYTES) {
      check.add('attachments', `attachment [${i}] is larger than ${MAX_ATTACHMENT_BYTES} bytes`);
      return;
    }
    total += bytes.length;
    files.push({ name: file.name ?? '', contentType: file.contentType, bytes });
  });
  if (total > MAX_ATTACHMENTS_TOTAL_BYTES) {
    check.add(
      'attachments',
      `the attachments together are larger than ${MAX_ATTACHMENTS_TOTAL_BYTES} bytes`,
    );
  }
  return files;
}

/** httpSMS file naming: extension dropped, `[A-Za-z0-9_-]` kept, spaces to `-`. */
export function attachmentFileName(name: string, contentType: string, index: number): string {
  const stem = name.replace(/\.[^.]*$/, '').replace(/ /g, '-');
  const safe = stem.replace(/[^A-Za-z0-9_-]/g, '').replace(/^-+|-+$/g, '');
  return (safe || `attachment-${index}`) + extensionFor(contentType);
}

/** Removes stored files; a failure is logged (the orphan sweep removes them later). */
export async function removeAttachments(ctx: GatewayContext, keys: readonly string[]) {
  for (const key of keys) {
    try {
      await ctx.attachments.delete(key);
    } catch (error) {
      ctx.logger.warn({ err: error, key }, 'could not remove an attachment; the sweep will');
    }
  }
}

/** The key of an attachment: `<account>/<message>/<index>/<name>`. */
export function attachmentKey(accountId: string, messageId: string, index: number, name: string) {
  return `${accountId}/${messageId}/${index}/${name}`;
}

/**
 * Stores the files under `<account>/<message>/<index>/<name>`; the message id is a
 * random UUID, so the path cannot be guessed. Returns the keys and their public URLs;
 * when one file cannot be stored, those already stored are removed.
 */
export async function storeAttachments(
  ctx: GatewayContext,
  accountId: string,
  messageId: string,
  files: readonly CheckedFile[],
): Promise<{ keys: string[]; urls: string[] }> {
  const base = (ctx.publicUrl ?? '').replace(/\/+$/, '');
  const keys: string[] = [];
  try {
    for (const [index, file] of files.entries()) {
      const name = attachmentFileName(file.name, file.contentType, index);
      const key = attachmentKey(accountId, messageId, index, name);
      keys.push(key);
      await ctx.attachments.put(key, { contentType: file.contentType, data: file.bytes });
    }
  } catch (error) {
    await removeAttachments(ctx, keys);
    throw error;
  }
  return { keys, urls: keys.map((key) => `${base}/v1/attachments/${key}`) };
}
