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

describe('isPhoneNumber', () => {
  it.each([
    '+18005550100',
    '+1 (800) 555-0199',
    '+447911123456',
    '+254712345678',
    '+237671234567',
    '+15555215554',
    '+80012345678',
    '+123',
  ])('accepts %j', (value) => {
    expect(isPhoneNumber(value)).toBe(true);
  });

  it.each([
    '',
    '18005550100',
    '8005550100',
    '+1',
    '+12',
    '+2547',
    '+999123456',
    '+0123456',
    '+12345678901234567890',
    'MPESA',
    'call +18005550100',
    '+1800FLOWERS',
  ])('rejects %j', (value) => {
    expect(isPhoneNumber(value)).toBe(false);
  });
});

describe('isContactPhoneNumber', () => {
  it.each([
    '12',
    '+12',
    '8444',
    '0712345678',
    '+254712345678',
    '123456789012345',
    '+123456789012345',
  ])('accepts %j', (value) => {
    expect(isContactPhoneNumber(value)).toBe(true);
  });

  it.each([
    '',
    '1',
    '+1',
    '++12',
    '1234567890123456',
    '+1234567890123456',
    '+1 800 555 0199',
    'MPESA',
    ' 12345',
    '12345 ',
  ])('rejects %j', (value) => {
    expect(isContactPhoneNumber(value)).toBe(false);
  });
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
