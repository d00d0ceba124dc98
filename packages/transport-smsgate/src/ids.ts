/** Ids and secrets in SMSGate's shapes: 21 characters of `A-Za-z0-9_-`, like a nanoid. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random 21-character id (126 bits), the length clients validate for device ids. */
export function newId(): string {
  return randomBytes(16).toString('base64url').slice(0, 21);
}

/** A random secret of `bytes` bytes, base64url. */
export function newSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 hex of a token: tokens are stored hashed, like API keys. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Compares two secrets in constant time (different lengths are simply unequal). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
