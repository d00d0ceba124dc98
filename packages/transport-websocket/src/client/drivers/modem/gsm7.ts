/**
 * The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 §6.2.1), and the
 * septet packing of SMS user data (TS 23.038 §6.1.2.1.1). No national language tables.
 */

/** Escape to the extension table; alone it is shown as a space (TS 23.038 §6.2.1.1). */
export const GSM7_ESCAPE = 0x1b;

/** Code 0x00–0x7F of the default alphabet; 0x1B (the escape) is a placeholder. */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The extension table: code after 0x1B → character. */
const EXTENSION: ReadonlyMap<number, string> = new Map([
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
]);

const BASIC_CODE = new Map<string, number>();
for (let code = 0; code < BASIC.length; code++) {
  if (code !== GSM7_ESCAPE) BASIC_CODE.set(BASIC[code]!, code);
}
const EXTENSION_CODE = new Map<string, number>([...EXTENSION].map(([code, ch]) => [ch, code]));

/**
 * The septets of each character of `text` (one, or two for an extension character),
 * or null when a character is in neither table.
 */
export function gsm7Groups(text: string): number[][] | null {
  const groups: number[][] = [];
  for (const ch of text) {
    const basic = BASIC_CODE.get(ch);
    if (basic !== undefined) {
      groups.push([basic]);
      continue;
    }
    const extended = EXTENSION_CODE.get(ch);
    if (extended === undefined) return null;
    groups.push([GSM7_ESCAPE, extended]);
  }
  return groups;
}

export function isGsm7(text: string): boolean {
  for (const ch of text) {
    if (!BASIC_CODE.has(ch) && !EXTENSION_CODE.has(ch)) return false;
  }
  return true;
}

/** Septets to text; an unknown extension code shows its default-alphabet character (§6.2.1.1). */
export function septetsToText(septets: readonly number[]): string {
  let text = '';
  for (let i = 0; i < septets.length; i++) {
    const code = septets[i]! & 0x7f;
    if (code !== GSM7_ESCAPE) {
      text += BASIC[code]!;
      continue;
    }
    const next = septets[++i];
    if (next === undefined || next === GSM7_ESCAPE) {
      text += ' ';
      continue;
    }
    text += EXTENSION.get(next) ?? BASIC[next & 0x7f]!;
  }
  return text;
}

/**
 * Packs septets least significant bit first, after `fillBits` zero bits (the fill that aligns
 * text to a septet boundary after a user data header).
 */
export function packSeptets(septets: readonly number[], fillBits = 0): Uint8Array {
  const out = new Uint8Array(Math.ceil((fillBits + septets.length * 7) / 8));
  let bit = fillBits;
  for (const septet of septets) {
    const index = bit >> 3;
    const shift = bit & 7;
    out[index]! |= (septet << shift) & 0xff;
    if (shift > 1) out[index + 1]! |= septet >> (8 - shift);
    bit += 7;
  }
  return out;
}

/** Reads `count` septets starting at bit `startBit`; bits past the end read as zero. */
export function unpackSeptets(bytes: Uint8Array, startBit: number, count: number): number[] {
  const septets: number[] = [];
  for (let i = 0, bit = startBit; i < count; i++, bit += 7) {
    const index = bit >> 3;
    const shift = bit & 7;
    const low = (bytes[index] ?? 0) >> shift;
    const high = shift > 1 ? (bytes[index + 1] ?? 0) << (8 - shift) : 0;
    septets.push((low | high) & 0x7f);
  }
  return septets;
}
