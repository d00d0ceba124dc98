/**
 * Discord's request signature: every interaction Discord sends carries
 * `X-Signature-Ed25519`, the application key's Ed25519 signature (hex) of
 * `X-Signature-Timestamp` followed by the raw body. node:crypto verifies it.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';

const HEX_SIGNATURE = /^[0-9a-fA-F]{128}$/;

/** The public key object of a 64-hex-digit Ed25519 key (the developer portal's form). */
export function discordPublicKey(hex: string): KeyObject {
  const x = Buffer.from(hex, 'hex').toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

/** Whether `signature` (hex) signs `timestamp` + `body` under `key`; false for anything malformed. */
export function verifyDiscordSignature(
  key: KeyObject,
  signature: string | undefined,
  timestamp: string | undefined,
  body: Uint8Array,
): boolean {
  if (!signature || !timestamp || !HEX_SIGNATURE.test(signature)) return false;
  const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), body]);
  return verify(null, signed, key, Buffer.from(signature, 'hex'));
}
