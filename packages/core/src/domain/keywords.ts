/**
 * Opt-out keywords: an inbound message that is exactly one keyword (trimmed,
 * case-insensitive) opts its sender out of, or back in to, the account's messages,
 * or asks for help. Anything longer is an ordinary message ("stop by at 5" is not
 * an opt-out). The defaults are the carrier-standard ones (CTIA, Twilio).
 */

export const DEFAULT_OPT_OUT_KEYWORDS = Object.freeze([
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'END',
  'QUIT',
  'CANCEL',
  'REVOKE',
  'OPTOUT',
] as const);

export const DEFAULT_OPT_IN_KEYWORDS = Object.freeze(['START', 'UNSTOP', 'YES'] as const);

export const DEFAULT_HELP_KEYWORDS = Object.freeze(['HELP'] as const);

export type KeywordKind = 'opt-out' | 'opt-in' | 'help';

export interface KeywordLists {
  optOutKeywords: readonly string[];
  optInKeywords: readonly string[];
  helpKeywords: readonly string[];
}

export interface KeywordMatch {
  kind: KeywordKind;
  /** The keyword as listed (upper case). */
  keyword: string;
}

/** How a keyword and a message are compared: trimmed, in upper case. */
export function normalizeKeyword(text: string): string {
  return text.trim().toUpperCase();
}

/** The keyword `content` is, or null when it is not exactly one keyword. */
export function matchKeyword(content: string, lists: KeywordLists): KeywordMatch | null {
  const text = normalizeKeyword(content);
  if (text === '') return null;
  const kinds: [KeywordKind, readonly string[]][] = [
    ['opt-out', lists.optOutKeywords],
    ['opt-in', lists.optInKeywords],
    ['help', lists.helpKeywords],
  ];
  for (const [kind, keywords] of kinds) {
    const keyword = keywords.find((k) => normalizeKeyword(k) === text);
    if (keyword !== undefined) return { kind, keyword: normalizeKeyword(keyword) };
  }
  return null;
}
