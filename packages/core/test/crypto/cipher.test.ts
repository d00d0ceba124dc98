import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decrypt, encrypt } from '../../src/crypto/cipher.js';

const PASSPHRASE = 'correct horse battery staple';
const IV = Uint8Array.from({ length: 16 }, (_, i) => i * 17);

const SAMPLES = [
  'Hello',
  'exactly sixteen!',
  'Ça coûte 5 € — déjà payé, merci. Señor Müller: ½ ✓',
  'Emoji 😀🎉👍🏽 across blocks: 🇰🇪🇨🇲🇬🇧🇺🇸 and more 🚀 text after the flags',
  'Привет, мир! こんにちは世界 مرحبا بالعالم '.repeat(3),
];

function keyHex(passphrase: string): string {
  return createHash('sha256').update(passphrase, 'utf8').digest('hex');
}

/** Runs `openssl enc -aes-256-cfb` on raw bytes; throws (failing the test) when openssl is missing. */
function openssl(mode: '-e' | '-d', passphrase: string, iv: Uint8Array, input: Buffer): Buffer {
  return execFileSync(
    'openssl',
    ['enc', mode, '-aes-256-cfb', '-K', keyHex(passphrase), '-iv', Buffer.from(iv).toString('hex')],
    { input, stdio: ['pipe', 'pipe', 'pipe'] },
  );
}

describe('cipher', () => {
  it('has openssl available for the cross-checks', () => {
    const version = execFileSync('openssl', ['version'], { encoding: 'utf8' });
    expect(version).toMatch(/SSL/);
  });

  it.each(SAMPLES)('encrypts so that openssl decrypts: %s', (text) => {
    const payload = Buffer.from(encrypt(PASSPHRASE, text, IV), 'base64');
    expect(payload.subarray(0, 16)).toEqual(Buffer.from(IV));
    const body = payload.subarray(16);
    expect(body.length).toBe(Buffer.byteLength(text, 'utf8'));
    expect(openssl('-d', PASSPHRASE, IV, body).toString('utf8')).toBe(text);
  });

  it.each(SAMPLES)('decrypts what openssl encrypts: %s', (text) => {
    const body = openssl('-e', PASSPHRASE, IV, Buffer.from(text, 'utf8'));
    const payload = Buffer.concat([Buffer.from(IV), body]).toString('base64');
    expect(decrypt(PASSPHRASE, payload)).toBe(text);
    expect(encrypt(PASSPHRASE, text, IV)).toBe(payload);
  });

  it('spans several AES blocks with multi-byte characters', () => {
    const text = SAMPLES[4]!;
    expect(Buffer.byteLength(text, 'utf8')).toBeGreaterThan(64);
    const payload = Buffer.from(encrypt(PASSPHRASE, text, IV), 'base64');
    expect(openssl('-d', PASSPHRASE, IV, payload.subarray(16)).toString('utf8')).toBe(text);
  });

  it('derives the key from a UTF-8 passphrase', () => {
    const passphrase = 'clé secrète 🔑';
    const text = 'Bonjour à tous';
    const payload = Buffer.from(encrypt(passphrase, text, IV), 'base64');
    expect(openssl('-d', passphrase, IV, payload.subarray(16)).toString('utf8')).toBe(text);
  });

  it('outputs standard padded base64 of IV and ciphertext', () => {
    const out = encrypt(PASSPHRASE, 'Hi', IV);
    expect(out).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(out.length % 4).toBe(0);
    expect(Buffer.from(out, 'base64')).toHaveLength(18);
  });

  it('round-trips with a random IV that changes per message', () => {
    const text = 'Your code is 123456 😀';
    const first = encrypt(PASSPHRASE, text);
    const second = encrypt(PASSPHRASE, text);
    expect(first).not.toBe(second);
    expect(decrypt(PASSPHRASE, first)).toBe(text);
    expect(decrypt(PASSPHRASE, second)).toBe(text);
  });

  it('round-trips the empty text as a bare IV', () => {
    const out = encrypt(PASSPHRASE, '', IV);
    expect(Buffer.from(out, 'base64')).toEqual(Buffer.from(IV));
    expect(decrypt(PASSPHRASE, out)).toBe('');
  });

  it('ignores line breaks in the base64 payload', () => {
    const out = encrypt(PASSPHRASE, SAMPLES[2]!, IV);
    const wrapped = out.replace(/.{1,20}/g, '$&\r\n');
    expect(decrypt(PASSPHRASE, wrapped)).toBe(SAMPLES[2]);
  });

  it('does not recover the text with another passphrase', () => {
    const out = encrypt(PASSPHRASE, 'secret message', IV);
    expect(decrypt('wrong passphrase', out)).not.toBe('secret message');
  });

  it('rejects payloads shorter than the IV', () => {
    const short = Buffer.alloc(15, 1).toString('base64');
    expect(() => decrypt(PASSPHRASE, short)).toThrow(/shorter than the 16-byte IV/);
    expect(() => decrypt(PASSPHRASE, '')).toThrow(/shorter than the 16-byte IV/);
  });

  it('rejects payloads that are not base64', () => {
    const valid = encrypt(PASSPHRASE, 'Hey!', IV);
    expect(valid).toMatch(/[^=]=$/);
    expect(() => decrypt(PASSPHRASE, 'not base64!')).toThrow(/not valid base64/);
    expect(() => decrypt(PASSPHRASE, valid.slice(0, -1))).toThrow(/not valid base64/);
    expect(() => decrypt(PASSPHRASE, `*${valid.slice(1)}`)).toThrow(/not valid base64/);
    expect(() => decrypt(PASSPHRASE, `-_${valid.slice(2)}`)).toThrow(/not valid base64/);
  });

  it('rejects an IV that is not 16 bytes', () => {
    expect(() => encrypt(PASSPHRASE, 'Hello', new Uint8Array(8))).toThrow(/16 bytes/);
  });
});
