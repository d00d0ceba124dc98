/**
 * End-to-end message encryption compatible with httpSMS clients and the
 * Android app.
 *
 * - cipher: AES-256 in CFB mode with 128-bit feedback, no padding;
 * - key: SHA-256 of the UTF-8 encoded passphrase;
 * - IV: 16 random bytes per message;
 * - payload: standard base64 (with `=` padding) of IV followed by ciphertext.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-cfb';
const IV_LENGTH = 16;

/** Standard base64 with mandatory `=` padding (line breaks are removed beforehand). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function deriveKey(passphrase: string): Buffer {
  return createHash('sha256').update(passphrase, 'utf8').digest();
}

/**
 * Encrypts `text` (UTF-8) with the passphrase `key`. A fresh random IV is used
 * unless `iv` (exactly 16 bytes) is given.
 */
export function encrypt(key: string, text: string, iv?: Uint8Array): string {
  const vector = iv === undefined ? randomBytes(IV_LENGTH) : Buffer.from(iv);
  if (vector.length !== IV_LENGTH) {
    throw new Error(`Encryption IV must be ${IV_LENGTH} bytes, got ${vector.length}`);
  }
  const cipher = createCipheriv(ALGORITHM, deriveKey(key), vector);
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return Buffer.concat([vector, body]).toString('base64');
}

/**
 * Decrypts a payload produced by `encrypt` (or an httpSMS client) with the
 * passphrase `key`. Line breaks in the base64 text are ignored.
 *
 * Throws when the payload is not standard base64 or decodes to fewer than 16
 * bytes. A wrong passphrase cannot be detected: it yields garbage text, with
 * invalid UTF-8 sequences replaced by U+FFFD.
 */
export function decrypt(key: string, text: string): string {
  const encoded = text.replace(/[\r\n]/g, '');
  if (!BASE64.test(encoded)) {
    throw new Error('Cannot decrypt: the payload is not valid base64');
  }
  const payload = Buffer.from(encoded, 'base64');
  if (payload.length < IV_LENGTH) {
    throw new Error(
      `Cannot decrypt: the payload is ${payload.length} bytes, shorter than the ${IV_LENGTH}-byte IV`,
    );
  }
  const decipher = createDecipheriv(ALGORITHM, deriveKey(key), payload.subarray(0, IV_LENGTH));
  const body = Buffer.concat([decipher.update(payload.subarray(IV_LENGTH)), decipher.final()]);
  return body.toString('utf8');
}
