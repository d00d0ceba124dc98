/** Reading every row of a paged Store list, a bounded page at a time. */
import type { PageQuery } from '../store.js';

/** Rows read per page when an operation walks a whole list. */
export const WALK_PAGE = 500;

/**
 * Every row `list` returns, read `WALK_PAGE` rows at a time, in the list's order. The
 * caller may change the rows it is given as long as their place in that order stays
 * (a patch that leaves the sort key alone); a caller that removes rows collects their
 * ids first and removes them after the walk.
 */
export async function* eachRow<T>(list: (page: PageQuery) => Promise<T[]>): AsyncGenerator<T> {
  for (let skip = 0; ; skip += WALK_PAGE) {
    const page = await list({ skip, limit: WALK_PAGE });
    yield* page;
    if (page.length < WALK_PAGE) return;
  }
}
