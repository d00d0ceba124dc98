/**
 * SMS encoding and segment count of a message text.
 *
 * A text made only of characters of the GSM 03.38 default alphabet and its
 * extension table is sent as GSM-7 (7-bit septets); anything else forces
 * UCS-2 (UTF-16 code units) for the whole message.
 *
 * Single-part limits: 160 septets (GSM-7) or 70 code units (UCS-2). Longer
 * texts are split into concatenated parts whose user data header leaves 153
 * septets or 67 code units per part. Characters are never split across parts:
 * a 2-septet extension character (escape + code) or a UTF-16 surrogate pair
 * (emoji and other astral characters) that does not fit in the remaining room
 * of a part moves whole to the next part, leaving the room unused.
 */
import type { TextEncoding } from './records.js';

export interface TextMeasure {
  encoding: TextEncoding;
  /** Number of SMS parts; an empty text still takes one part. */
  segments: number;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
}

/** GSM 03.38 default alphabet in code order, without the escape (0x1B) which is no user character. */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** GSM 03.38 extension table: each costs 2 septets (escape + code). */
const GSM_EXTENSION = '\f^{}\\[~]|€';

const GSM_BASIC_SET: ReadonlySet<string> = new Set(GSM_BASIC);
const GSM_EXTENSION_SET: ReadonlySet<string> = new Set(GSM_EXTENSION);

const GSM_SINGLE_LIMIT = 160;
const GSM_PART_LIMIT = 153;
const UCS2_SINGLE_LIMIT = 70;
const UCS2_PART_LIMIT = 67;

/**
 * Septet cost of each character, or `null` when one character is outside the
 * GSM-7 alphabet.
 */
function gsmCosts(text: string): number[] | null {
  const costs: number[] = [];
  for (const char of text) {
    if (GSM_BASIC_SET.has(char)) {
      costs.push(1);
    } else if (GSM_EXTENSION_SET.has(char)) {
      costs.push(2);
    } else {
      return null;
    }
  }
  return costs;
}

/** UTF-16 code units of each code point (2 for a surrogate pair; a lone surrogate counts 1). */
function ucs2Costs(text: string): number[] {
  const costs: number[] = [];
  for (const char of text) {
    costs.push(char.length);
  }
  return costs;
}

/** Parts needed when characters of the given costs fill parts of `partLimit` units without being split. */
function countParts(costs: readonly number[], partLimit: number): number {
  let parts = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > partLimit) {
      parts += 1;
      used = 0;
    }
    used += cost;
  }
  return parts;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) {
    total += value;
  }
  return total;
}

/**
 * Encoding, segment count and size of `text` as an SMS.
 *
 * The empty text is GSM-7 with 0 units and 1 segment: it is still sent as one
 * (empty) SMS.
 */
export function measureText(text: string): TextMeasure {
  const gsm = gsmCosts(text);
  if (gsm !== null) {
    const units = sum(gsm);
    const segments = units <= GSM_SINGLE_LIMIT ? 1 : countParts(gsm, GSM_PART_LIMIT);
    return { encoding: 'GSM-7', segments, units };
  }
  const ucs2 = ucs2Costs(text);
  const units = text.length;
  const segments = units <= UCS2_SINGLE_LIMIT ? 1 : countParts(ucs2, UCS2_PART_LIMIT);
  return { encoding: 'UCS-2', segments, units };
}
