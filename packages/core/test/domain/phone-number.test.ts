import { describe, expect, it } from 'vitest';
import {
  contactNumberMessage,
  isContactPhoneNumber,
  isPhoneNumber,
  phoneNumberMessage,
  regionOf,
  sanitizeAddress,
  sanitizeContact,
} from '../../src/domain/phone-number.js';

describe('sanitizeAddress', () => {
  it.each([
    ['+18005550199', '+18005550199'],
    ['+1 (800) 555-0199', '+18005550199'],
    ['+1-800-555-0199', '+18005550199'],
    ['+1 800.555.0199', '+18005550199'],
    ['  +18005550199  ', '+18005550199'],
    ['+44 7911 123456', '+447911123456'],
    ['+44 (0) 7911 123456', '+447911123456'],
    ['+254 712 345 678', '+254712345678'],
    ['+237 6 71 23 45 67', '+237671234567'],
    ['+1 800 555 0199 ext. 12', '+18005550199'],
  ])('formats %j as E.164 %j', (input, expected) => {
    expect(sanitizeAddress(input)).toBe(expected);
  });

  it('prefixes bare digit strings of 10 or more digits with +', () => {
    expect(sanitizeAddress('18005550199')).toBe('+18005550199');
    expect(sanitizeAddress('254712345678')).toBe('+254712345678');
    expect(sanitizeAddress('237671234567')).toBe('+237671234567');
    expect(sanitizeAddress(' 447911123456 ')).toBe('+447911123456');
    expect(sanitizeAddress('1800555019')).toBe('+1800555019');
  });

  it('leaves bare digit strings of 9 digits or fewer alone', () => {
    expect(sanitizeAddress('180055501')).toBe('180055501');
    expect(sanitizeAddress('712345678')).toBe('712345678');
    expect(sanitizeAddress('12345')).toBe('12345');
  });

  it('does not prefix digit strings containing other characters', () => {
    expect(sanitizeAddress('1 800 555 0199')).toBe('1 800 555 0199');
    expect(sanitizeAddress('(800) 555-0199')).toBe('(800) 555-0199');
  });

  it('keeps a 10+ digit string with an unknown calling code, now prefixed', () => {
    expect(sanitizeAddress('9991234567')).toBe('+9991234567');
  });

  it('returns non-numbers trimmed and otherwise unchanged', () => {
    expect(sanitizeAddress('  MPESA ')).toBe('MPESA');
    expect(sanitizeAddress('')).toBe('');
    expect(sanitizeAddress('+1800FLOWERS')).toBe('+1800FLOWERS');
    expect(sanitizeAddress('call +18005550199')).toBe('call +18005550199');
    expect(sanitizeAddress('+0 800 555 0199')).toBe('+0 800 555 0199');
  });

  it('does not check that the number is assigned in its region', () => {
    expect(sanitizeAddress('+1 555 521 5554')).toBe('+15555215554');
    expect(sanitizeAddress('+44 7700 900123')).toBe('+447700900123');
  });
});

describe('sanitizeContact', () => {
  it.each([
    ['+254712345678', '0712345678', '+254712345678'],
    ['+254712345678', '712345678', '+254712345678'],
    ['+254712345678', '254712345678', '+254712345678'],
    ['+18005550199', '8005550199', '+18005550199'],
    ['+18005550199', '18005550199', '+18005550199'],
    ['+447911123456', '07911123456', '+447911123456'],
    ['+237671234567', '671234567', '+237671234567'],
  ])('reads digits received on %s as a national number: %j → %j', (owner, contact, expected) => {
    expect(sanitizeContact(owner, contact)).toBe(expected);
  });

  it('trims before deciding', () => {
    expect(sanitizeContact('+254712345678', ' 0712345678 ')).toBe('+254712345678');
  });

  it('keeps alphanumeric sender ids and short codes', () => {
    expect(sanitizeContact('+254712345678', 'MPESA')).toBe('MPESA');
    expect(sanitizeContact('+254712345678', ' Safaricom ')).toBe('Safaricom');
    expect(sanitizeContact('+18005550199', '12345')).toBe('12345');
    expect(sanitizeContact('+18005550199', '1234567')).toBe('1234567');
    expect(sanitizeContact('+237671234567', '8444')).toBe('8444');
  });

  it('keeps values that are not only digits', () => {
    expect(sanitizeContact('+18005550199', '+18005550199')).toBe('+18005550199');
    expect(sanitizeContact('+18005550199', '+1 800 555 0199')).toBe('+1 800 555 0199');
    expect(sanitizeContact('+18005550199', '800-555-0199')).toBe('800-555-0199');
  });

  it('reads 8-digit strings as national numbers', () => {
    expect(sanitizeContact('+254712345678', '12345678')).toBe('+25412345678');
  });

  it('falls back to the calling code when the owner region is unknown', () => {
    expect(regionOf('+15555215554')).toBeUndefined();
    expect(sanitizeContact('+15555215554', '8005550199')).toBe('+18005550199');
  });

  it('keeps the contact when the owner is not a phone number', () => {
    expect(sanitizeContact('owner', '0712345678')).toBe('0712345678');
    expect(sanitizeContact('', ' 0712345678')).toBe('0712345678');
  });
});

/**
 * One table for both predicates: `isPhoneNumber` accepts a possible E.164 number
 * (what a phone may be registered as), `isContactPhoneNumber` a contact as the
 * phone reports it (2 to 15 digits with an optional +, short codes included).
 */
describe.each([
  // value, isPhoneNumber, isContactPhoneNumber
  ['+18005550100', true, true],
  ['+1 (800) 555-0199', true, false],
  ['+447911123456', true, true],
  ['+254712345678', true, true],
  ['+237671234567', true, true],
  ['+15555215554', true, true],
  ['+80012345678', true, true],
  ['+123', true, true],
  ['+12', false, true],
  ['12', false, true],
  ['8444', false, true],
  ['0712345678', false, true],
  ['18005550100', false, true],
  ['8005550100', false, true],
  ['123456789012345', false, true],
  ['+123456789012345', true, true],
  ['+2547', false, true],
  ['+999123456', false, true],
  ['+0123456', false, true],
  ['', false, false],
  ['1', false, false],
  ['+1', false, false],
  ['++12', false, false],
  ['1234567890123456', false, false],
  ['+1234567890123456', true, false],
  ['+12345678901234567890', false, false],
  ['+1 800 555 0199', true, false],
  ['MPESA', false, false],
  ['call +18005550100', false, false],
  ['+1800FLOWERS', false, false],
  [' 12345', false, false],
  ['12345 ', false, false],
])('%j', (value, phone, contact) => {
  it(`isPhoneNumber is ${phone}`, () => expect(isPhoneNumber(value)).toBe(phone));
  it(`isContactPhoneNumber is ${contact}`, () => expect(isContactPhoneNumber(value)).toBe(contact));
});

describe('regionOf', () => {
  it.each([
    ['+18005550199', 'US'],
    ['+14165550199', 'CA'],
    ['+447400123456', 'GB'],
    ['+254712345678', 'KE'],
    ['+237671234567', 'CM'],
  ])('%s is in %s', (number, region) => {
    expect(regionOf(number)).toBe(region);
  });

  it('is undefined for non-geographic numbers and non-numbers', () => {
    expect(regionOf('+80012345678')).toBeUndefined();
    expect(regionOf('MPESA')).toBeUndefined();
    expect(regionOf('0712345678')).toBeUndefined();
  });
});

describe('messages', () => {
  it('match the httpSMS wording', () => {
    expect(phoneNumberMessage('to')).toBe(
      'The to field must be a valid E.164 phone number in the international format e.g +18005550100',
    );
    expect(contactNumberMessage('contact')).toBe(
      'The contact field must contain only digits and must be less than 14 characters',
    );
  });
});
