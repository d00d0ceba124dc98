/**
 * Semi-octets (swapped nibbles, TS 23.040 §9.1.2.3) shared by the PDU encoder and decoder:
 * address digits with their F filler, and the time-zone unit of TP-SCTS/TP-DT.
 */

/** The digit each semi-octet value 0x0–0xE stands for; 0xF is the filler. */
const DIGITS = '0123456789*#abc';
/** A quarter of an hour in ms: the time-zone unit of TP-SCTS and TP-DT. */
export const QUARTER_HOUR_MS = 15 * 60_000;

/** Swapped nibbles, F filler after an odd last digit. */
export function semiOctets(digits: string): number[] {
  const octets: number[] = [];
  for (let i = 0; i < digits.length; i += 2) {
    const low = DIGITS.indexOf(digits[i]!);
    const high = i + 1 < digits.length ? DIGITS.indexOf(digits[i + 1]!) : 0x0f;
    octets.push((high << 4) | low);
  }
  return octets;
}

/** The digits of an address field's semi-octets, "+" first for an international number. */
export function formatNumber(toa: number, octets: Uint8Array, semiOctetCount: number): string {
  let digits = '';
  for (let i = 0; i < semiOctetCount; i++) {
    const nibble = i % 2 === 0 ? octets[i >> 1]! & 0x0f : octets[i >> 1]! >> 4;
    if (nibble === 0x0f) continue; // filler
    digits += DIGITS[nibble]!;
  }
  return ((toa >> 4) & 0x07) === 1 ? `+${digits}` : digits;
}
