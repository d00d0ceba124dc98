import { describe, expect, it } from 'vitest';
import { measureText } from '../../src/domain/segments.js';

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';
const EMOJI = '😀';

describe('measureText: GSM-7', () => {
  it('treats the empty text as one GSM-7 part of 0 septets', () => {
    expect(measureText('')).toEqual({ encoding: 'GSM-7', segments: 1, units: 0 });
  });

  it('accepts every character of the default alphabet at 1 septet', () => {
    expect([...GSM_BASIC]).toHaveLength(127);
    expect(measureText(GSM_BASIC)).toEqual({ encoding: 'GSM-7', segments: 1, units: 127 });
    for (const char of GSM_BASIC) {
      expect(measureText(char)).toEqual({ encoding: 'GSM-7', segments: 1, units: 1 });
    }
  });

  it('counts every extension character as 2 septets', () => {
    for (const char of GSM_EXTENSION) {
      expect(measureText(char)).toEqual({ encoding: 'GSM-7', segments: 1, units: 2 });
    }
    expect(measureText('Price: 5€ [approx]')).toEqual({
      encoding: 'GSM-7',
      segments: 1,
      units: 21,
    });
  });

  it('does not accept the escape character or look-alikes', () => {
    expect(measureText('\u001b').encoding).toBe('UCS-2');
    expect(measureText('ç').encoding).toBe('UCS-2');
    expect(measureText('`').encoding).toBe('UCS-2');
    expect(measureText('\t').encoding).toBe('UCS-2');
    expect(measureText('á').encoding).toBe('UCS-2');
  });

  it('fits 160 septets in one part and splits 161 into two', () => {
    expect(measureText('a'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    expect(measureText('a'.repeat(161))).toEqual({ encoding: 'GSM-7', segments: 2, units: 161 });
  });

  it('counts extension characters toward the 160 limit', () => {
    expect(measureText('a'.repeat(158) + '€')).toMatchObject({ segments: 1, units: 160 });
    expect(measureText('a'.repeat(159) + '€')).toMatchObject({ segments: 2, units: 161 });
    expect(measureText('{}'.repeat(40))).toMatchObject({ segments: 1, units: 160 });
  });

  it('splits long texts in parts of 153 septets', () => {
    expect(measureText('a'.repeat(306))).toMatchObject({ segments: 2, units: 306 });
    expect(measureText('a'.repeat(307))).toMatchObject({ segments: 3, units: 307 });
    expect(measureText('a'.repeat(459))).toMatchObject({ segments: 3, units: 459 });
    expect(measureText('a'.repeat(460))).toMatchObject({ segments: 4, units: 460 });
  });

  it('does not split an extension character across a part boundary', () => {
    // 152 + 2 septets: the € moves to part 2, which then holds 2 + 152 = 154 > 153.
    expect(measureText('a'.repeat(152) + '€' + 'a'.repeat(152))).toEqual({
      encoding: 'GSM-7',
      segments: 3,
      units: 306,
    });
    // The same septets with the € not straddling a boundary fit in two parts.
    expect(measureText('a'.repeat(151) + '€' + 'a'.repeat(153))).toMatchObject({
      segments: 2,
      units: 306,
    });
    expect(measureText('a'.repeat(153) + '€' + 'a'.repeat(151))).toMatchObject({
      segments: 2,
      units: 306,
    });
  });

  it('fills parts of extension characters only to 152 septets', () => {
    // 77 × 2 = 154 septets would overflow a part, so part 1 takes 76 of them.
    expect(measureText('€'.repeat(153))).toMatchObject({ segments: 3, units: 306 });
    expect(measureText('€'.repeat(152))).toMatchObject({ segments: 2, units: 304 });
  });
});

describe('measureText: UCS-2', () => {
  it('switches the whole text to UCS-2 for one character outside GSM-7', () => {
    expect(measureText('Hello ✓')).toEqual({ encoding: 'UCS-2', segments: 1, units: 7 });
    expect(measureText('Привет')).toEqual({ encoding: 'UCS-2', segments: 1, units: 6 });
    expect(measureText('€ ç')).toEqual({ encoding: 'UCS-2', segments: 1, units: 3 });
  });

  it('fits 70 code units in one part and splits 71 into two', () => {
    expect(measureText('ç'.repeat(70))).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
    expect(measureText('ç'.repeat(71))).toEqual({ encoding: 'UCS-2', segments: 2, units: 71 });
  });

  it('counts extension characters as one code unit in UCS-2', () => {
    expect(measureText('ç' + '€'.repeat(69))).toEqual({
      encoding: 'UCS-2',
      segments: 1,
      units: 70,
    });
  });

  it('splits long texts in parts of 67 code units', () => {
    expect(measureText('ç'.repeat(134))).toMatchObject({ segments: 2, units: 134 });
    expect(measureText('ç'.repeat(135))).toMatchObject({ segments: 3, units: 135 });
    expect(measureText('ç'.repeat(201))).toMatchObject({ segments: 3, units: 201 });
  });

  it('counts an emoji as a surrogate pair of 2 code units', () => {
    expect(measureText(EMOJI)).toEqual({ encoding: 'UCS-2', segments: 1, units: 2 });
    expect(measureText(EMOJI.repeat(35))).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
    expect(measureText(EMOJI.repeat(35) + 'a')).toEqual({
      encoding: 'UCS-2',
      segments: 2,
      units: 71,
    });
  });

  it('does not split a surrogate pair across a part boundary', () => {
    // 66 + 2 units: the emoji moves to part 2, which then holds 2 + 66 = 68 > 67.
    expect(measureText('a'.repeat(66) + EMOJI + 'a'.repeat(66))).toEqual({
      encoding: 'UCS-2',
      segments: 3,
      units: 134,
    });
    expect(measureText('a'.repeat(65) + EMOJI + 'a'.repeat(67))).toMatchObject({
      segments: 2,
      units: 134,
    });
    // 33 emoji fill 66 units; the 34th opens part 2.
    expect(measureText(EMOJI.repeat(67))).toMatchObject({ segments: 3, units: 134 });
    expect(measureText(EMOJI.repeat(66))).toMatchObject({ segments: 2, units: 132 });
  });

  it('counts a lone surrogate as one code unit', () => {
    expect(measureText('\ud83d')).toEqual({ encoding: 'UCS-2', segments: 1, units: 1 });
  });
});
