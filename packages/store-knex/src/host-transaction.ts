/**
 * Whether the application's transaction, to which a store was bound, commits.
 * Knex resolves a transaction's `executionPromise` on a rollback too (the default
 * of `knex.transaction()` without a handler), so the outcome is read from the
 * statement that ended it; a savepoint (a nested transaction) counts only when
 * every transaction around it commits as well.
 */
import type { Knex } from 'knex';

const COMMIT = /^(COMMIT|RELEASE SAVEPOINT)\b/i;
const ROLLBACK = /^ROLLBACK\b/i;

export function hostCommitted(trx: Knex.Transaction): Promise<boolean> {
  let ended: 'commit' | 'rollback' | undefined;
  const onQuery = (query: { sql?: unknown }) => {
    const text = typeof query?.sql === 'string' ? query.sql : '';
    if (COMMIT.test(text)) ended = 'commit';
    else if (ROLLBACK.test(text)) ended = 'rollback';
  };
  trx.on('query', onQuery);
  const own = trx.executionPromise
    .then(
      () => ended === 'commit',
      () => false,
    )
    .finally(() => trx.off('query', onQuery));
  const outer = (trx as Knex.Transaction & { outerTx?: Knex.Transaction }).outerTx;
  if (!outer) return own;
  return Promise.all([own, hostCommitted(outer)]).then(([mine, theirs]) => mine && theirs);
}
