/** Phone-key bindings: which phone numbers a phone API key may act for. */
import type { ApiKeyRecord } from '../domain/records.js';
import type { Store } from '../store.js';
import { eachRow } from './pages.js';

export type KeyBinding = Pick<ApiKeyRecord, 'phoneIds' | 'phoneNumbers'>;

/**
 * The numbers a phone key may log in for (register a phone with), or null for any
 * number of its account: the numbers it was created for; else, when the gateway
 * restricts phone keys, the numbers it already holds; else any (the httpSMS rule).
 */
export function registrableNumbers(key: ApiKeyRecord, restricted: boolean): string[] | null {
  return key.allowedNumbers ?? (restricted ? key.phoneNumbers : null);
}

/**
 * Rewrites the account's phone keys that `change` alters (it returns a key's new
 * binding, or null to leave the key alone). A binding is a read-modify-write of
 * the key's number list, and on a store that runs transactions side by side
 * (Postgres) two of them reading a key at once would each drop the other's
 * change. So the keys to rewrite are locked first, by an update that holds the
 * row until commit, taken in id order (two such transactions never wait on each
 * other in a cycle), and read again under the lock. Every phone key of the account
 * is looked at, a page at a time.
 */
export async function rewritePhoneKeys(
  tx: Store,
  accountId: string,
  now: number,
  change: (key: ApiKeyRecord) => KeyBinding | null,
): Promise<void> {
  const keys = () => eachRow((page) => tx.listApiKeys({ accountId, kind: 'phone', ...page }));
  const locks = new Set<string>();
  for await (const key of keys()) if (change(key) !== null) locks.add(key.id);
  for (const id of [...locks].sort()) await tx.updateApiKey(id, { updatedAt: now });
  for await (const key of keys()) {
    const binding = change(key);
    if (binding) await tx.updateApiKey(key.id, { ...binding, updatedAt: now });
  }
}
