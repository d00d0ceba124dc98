/**
 * Phone number normalisation and validation, following the httpSMS API rules.
 *
 * Parsing uses the full ("max") libphonenumber metadata. "Parses with unknown
 * region" means: the value carries a leading `+`, a known country calling
 * code and a national number of plausible length (2 to 17 digits). Whether the
 * number is actually assigned in its region is NOT checked, so test ranges such
 * as `+1 555 …` are accepted.
 *
 * The whole value must be the number (surrounding whitespace, spaces, dashes,
 * dots, brackets and an extension suffix are tolerated); a number embedded in
 * other text (`call +1 800 555 0199`) is not extracted.
 */
import {
  type CountryCallingCode,
  type CountryCode,
  type PhoneNumber,
  parsePhoneNumberWithError,
} from 'libphonenumber-js/max';

const DIGITS = /^[0-9]+$/;
const CONTACT_NUMBER = /^\+?[0-9]\d{1,14}$/;

/** A bare digit string longer than this is read as an international number missing its `+`. */
const BARE_INTERNATIONAL_MIN_DIGITS = 10;
/** Received senders with at least this many digits are read as national numbers of the owner's country. */
const NATIONAL_CONTACT_MIN_DIGITS = 8;

type ParseOptions = { defaultCountry: CountryCode } | { defaultCallingCode: CountryCallingCode };

function parseWith(value: string, options?: ParseOptions): PhoneNumber | undefined {
  try {
    return parsePhoneNumberWithError(value, { ...options, extract: false });
  } catch {
    return undefined;
  }
}

/**
 * Parsing is the costliest step of a send (tens of microseconds), and the same
 * few sender and recipient numbers come again and again: international parses
 * are remembered (results are only read, never changed). Bounded: the memory is
 * dropped whole when it is full.
 */
const PARSE_MEMORY_LIMIT = 10_000;
const parsed = new Map<string, PhoneNumber | null>();

function parse(value: string, options?: ParseOptions): PhoneNumber | undefined {
  if (options) return parseWith(value, options);
  const known = parsed.get(value);
  if (known !== undefined) return known ?? undefined;
  const result = parseWith(value);
  if (parsed.size >= PARSE_MEMORY_LIMIT) parsed.clear();
  parsed.set(value, result ?? null);
  return result;
}

/**
 * Normalises a recipient or sender address given by an API client (`to`,
 * `from`, `owner`, `contact`).
 *
 * The value is trimmed; a bare digit string of 10 or more digits gets a `+`
 * prefix (`18005550199` → `+18005550199`); anything that then parses as an
 * international number is rewritten to E.164 (`+1 (800) 555-0199` →
 * `+18005550199`). Everything else is returned trimmed but otherwise unchanged,
 * so that validation can reject it with the original text.
 */
export function sanitizeAddress(value: string): string {
  let address = value.trim();
  if (DIGITS.test(address) && address.length >= BARE_INTERNATIONAL_MIN_DIGITS) {
    address = `+${address}`;
  }
  return parse(address)?.number ?? address;
}

/**
 * Normalises the sender (`from`) of a message received by the phone `owner`
 * (an E.164 number).
 *
 * A trimmed sender made only of digits and at least 8 characters long is read
 * as a number of the owner's country and formatted in E.164 (`0712345678`
 * received on `+254…` → `+254712345678`). Shorter digit strings (short codes),
 * alphanumeric sender ids (`MPESA`) and values already carrying a `+` are kept
 * as they are, trimmed. When the owner's country cannot be told from its number
 * (an unassigned range of a shared calling code such as `+1 555 …`), the
 * owner's calling code is used instead. If the sender still cannot be parsed it
 * is kept trimmed.
 */
export function sanitizeContact(owner: string, contact: string): string {
  const trimmed = contact.trim();
  if (trimmed.length < NATIONAL_CONTACT_MIN_DIGITS || !DIGITS.test(trimmed)) {
    return trimmed;
  }
  const ownerNumber = parse(owner.trim());
  if (ownerNumber === undefined) {
    return trimmed;
  }
  const options: ParseOptions =
    ownerNumber.country === undefined
      ? { defaultCallingCode: ownerNumber.countryCallingCode }
      : { defaultCountry: ownerNumber.country };
  return parse(trimmed, options)?.number ?? trimmed;
}

/**
 * The httpSMS `phoneNumber` rule: the value parses as an international number
 * (leading `+`, known country calling code, plausible length).
 */
export function isPhoneNumber(value: string): boolean {
  return parse(value) !== undefined;
}

/** The httpSMS contact rule: an optional `+` followed by 2 to 15 digits. */
export function isContactPhoneNumber(value: string): boolean {
  return CONTACT_NUMBER.test(value);
}

/**
 * The ISO 3166-1 alpha-2 region of an international number (`+254712345678`
 * → `KE`), or `undefined` when the value does not parse or its number does not
 * belong to a single known region (non-geographic numbers, unassigned ranges of
 * a shared calling code).
 */
export function regionOf(e164: string): string | undefined {
  return parse(e164)?.country;
}

/** The validation message of the httpSMS `phoneNumber` rule. */
export function phoneNumberMessage(field: string): string {
  return `The ${field} field must be a valid E.164 phone number in the international format e.g +18005550100`;
}

/** The validation message of the httpSMS contact rule. */
export function contactNumberMessage(field: string): string {
  return `The ${field} field must contain only digits and must be less than 14 characters`;
}
