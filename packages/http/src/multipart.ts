/** Reads one file field of a `multipart/form-data` body (the bulk messages' document). */
import busboy from 'busboy';
import { badRequest, headerValue, mediaType, readBody } from './decode.js';
import type { UploadedFile } from './route.js';
import type { HttpRequest } from './types.js';

/** The file in `field`, or null when the body has none. */
export async function readUpload(
  request: HttpRequest,
  field: string,
  limit: number,
): Promise<UploadedFile | null> {
  const contentType = headerValue(request.headers, 'content-type') ?? '';
  if (mediaType(request) !== 'multipart/form-data') {
    throw badRequest('the Content-Type must be multipart/form-data');
  }
  const body = await readBody(request, limit);
  if (!('raw' in body)) throw badRequest('the multipart body was already read by another parser');
  return new Promise((resolve, reject) => {
    let file: UploadedFile | null = null;
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, limits: { files: 10 } });
    } catch (error) {
      reject(badRequest(`invalid multipart body: ${(error as Error).message}`));
      return;
    }
    const invalid = (error: Error) =>
      reject(badRequest(`invalid multipart body: ${error.message}`));
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      // A body that ends inside a file part fails the part's stream too: unheard, that would
      // be an uncaught exception.
      stream.on('error', invalid);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (name !== field || file) return;
        file = {
          fileName: info.filename ?? '',
          contentType: info.mimeType,
          data: Buffer.concat(chunks),
        };
      });
    });
    parser.on('close', () => resolve(file));
    parser.on('error', invalid);
    parser.end(body.raw);
  });
}
