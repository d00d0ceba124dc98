/**
 * What a message search's `query` matches besides substrings of the text fields: the
 * message whose id it is, when it is a UUID (in any case). Both stores use this.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The message id a search query names (lowercased, as ids are stored), or null. */
export function searchedMessageId(query: string | null | undefined): string | null {
  return query && UUID.test(query) ? query.toLowerCase() : null;
}
