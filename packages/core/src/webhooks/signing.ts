/**
 * Webhook request signatures. Every delivery carries both:
 * - httpSMS: `Authorization: Bearer <JWT>`, HS256 with the UTF-8 bytes of the webhook's
 *   signing key; claims `iss`, `sub` (account id), `aud` ([url]), `exp` (+10 min),
 *   `nbf` (−10 min), `iat`.
 * - Standard Webhooks: `webhook-id` (the event id, the same on every retry),
 *   `webhook-timestamp` (seconds), `webhook-signature: v1,<base64 HMAC-SHA256 of
 *   "id.timestamp.body">`. The HMAC key is the signing key's bytes: a key written as
 *   `whsec_<base64>` is decoded; any other key is used as UTF-8 — give a receiver using a
 *   Standard Webhooks library the secret `whsec_` + base64(signing key). A `whsec_` key
 *   must be canonical base64 of at least 24 bytes (`whsecKeyProblem`): the gateway refuses
 *   anything weaker when a webhook is stored.
 */
import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';

const encoder = new TextEncoder();

/** The shortest decoded `whsec_` key accepted (Standard Webhooks secrets are 24–64 bytes). */
export const MIN_WHSEC_KEY_BYTES = 24;

/** Why a `whsec_` key is unusable, or null (also null for keys without the prefix). */
export function whsecKeyProblem(signingKey: string): string | null {
  if (!signingKey.startsWith('whsec_')) return null;
  const encoded = signingKey.slice(6);
  const bytes = Buffer.from(encoded, 'base64');
  // Node's decoder skips characters outside the alphabet: re-encode to catch them.
  const canonical =
    /^[A-Za-z0-9+/]*={0,2}$/.test(encoded) &&
    bytes.toString('base64').replace(/=+$/, '') === encoded.replace(/=+$/, '');
  if (!canonical) return 'must be whsec_ followed by standard base64';
  if (bytes.length < MIN_WHSEC_KEY_BYTES) {
    return `must decode to at least ${MIN_WHSEC_KEY_BYTES} bytes after whsec_ (it decodes to ${bytes.length})`;
  }
  return null;
}

export function signingKeyBytes(signingKey: string): Uint8Array {
  if (signingKey.startsWith('whsec_')) return Buffer.from(signingKey.slice(6), 'base64');
  return encoder.encode(signingKey);
}

/** The secret to configure in a Standard Webhooks verifier for `signingKey`. */
export function standardWebhooksSecret(signingKey: string): string {
  return `whsec_${Buffer.from(signingKeyBytes(signingKey)).toString('base64')}`;
}

export function standardSignature(
  signingKey: string,
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  const mac = createHmac('sha256', signingKeyBytes(signingKey))
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest('base64');
  return `v1,${mac}`;
}

export interface JwtClaims {
  issuer: string;
  accountId: string;
  url: string;
  nowSeconds: number;
}

export function httpSmsJwt(signingKey: string, claims: JwtClaims): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(claims.issuer)
    .setSubject(claims.accountId)
    .setAudience([claims.url])
    .setIssuedAt(claims.nowSeconds)
    .setNotBefore(claims.nowSeconds - 600)
    .setExpirationTime(claims.nowSeconds + 600)
    .sign(encoder.encode(signingKey));
}

/**
 * Signed tokens by webhook and second: deliveries to one webhook within the same
 * second carry identical claims, so one signature serves them all.
 */
export class JwtCache {
  private second = -1;
  private tokens = new Map<string, Promise<string>>();

  get(signingKey: string, claims: JwtClaims): Promise<string> {
    if (claims.nowSeconds !== this.second) {
      this.second = claims.nowSeconds;
      this.tokens = new Map();
    }
    const key = JSON.stringify([signingKey, claims.issuer, claims.accountId, claims.url]);
    let token = this.tokens.get(key);
    if (!token) {
      token = httpSmsJwt(signingKey, claims);
      this.tokens.set(key, token);
    }
    return token;
  }
}

/** Request headers of one delivery attempt. */
export async function deliveryHeaders(input: {
  eventId: string;
  eventType: string;
  body: string;
  url: string;
  accountId: string;
  signingKey: string | null;
  issuer: string;
  now: number;
  tokens?: JwtCache;
}): Promise<Record<string, string>> {
  const seconds = Math.floor(input.now / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'textport-webhooks/1',
    'x-event-type': input.eventType,
    'webhook-id': input.eventId,
    'webhook-timestamp': String(seconds),
  };
  if (input.signingKey?.trim()) {
    const claims = {
      issuer: input.issuer,
      accountId: input.accountId,
      url: input.url,
      nowSeconds: seconds,
    };
    const token = input.tokens
      ? input.tokens.get(input.signingKey, claims)
      : httpSmsJwt(input.signingKey, claims);
    headers.authorization = `Bearer ${await token}`;
    headers['webhook-signature'] = standardSignature(
      input.signingKey,
      input.eventId,
      seconds,
      input.body,
    );
  }
  return headers;
}
