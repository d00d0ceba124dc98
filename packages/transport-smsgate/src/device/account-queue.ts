/**
 * One call at a time per account on this node: what a count-then-insert needs so
 * that calls arriving at once cannot all see room. A slow call holds up only its
 * own account's queue.
 */
export class AccountQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once the calls queued before it for `accountId` have settled. */
  run<T>(accountId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(accountId) ?? Promise.resolve();
    const result = previous.then(fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(accountId, tail);
    void tail.then(() => {
      if (this.tails.get(accountId) === tail) this.tails.delete(accountId);
    });
    return result;
  }
}
