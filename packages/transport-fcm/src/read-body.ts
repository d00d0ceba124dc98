/**
 * Reads an answer's body up to a limit: FCM and the token endpoint answer with a few
 * hundred bytes, so a longer body (a proxy's page, a broken server) is cut, not buffered.
 */

/** Bytes of an answer kept; the rest is not read. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The body as text, at most `limit` bytes of it; a longer body is cancelled there. */
export async function readBody(response: Response, limit = MAX_BODY_BYTES): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      const part = value.byteLength > limit - size ? value.subarray(0, limit - size) : value;
      chunks.push(part);
      size += part.byteLength;
    }
    if (size >= limit) await reader.cancel().catch(() => undefined);
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks).toString('utf8');
}
