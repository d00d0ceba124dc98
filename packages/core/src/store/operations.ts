/**
 * Building a Store from operation functions. A store implementation usually
 * writes each Store method once, as a function taking its own context first
 * (tables, a database handle): `getPhone(ctx, id)`. `operationStore(ops)` turns
 * a table of such functions into a base class whose methods drop the context and
 * return promises, each call going through the runner handed to its constructor
 * (a mutex, a group commit, a pooled connection):
 *
 *   class MyStore extends operationStore<Db, typeof OPS>(OPS) implements Store {
 *     constructor(runner: Runner) {
 *       super((name, op) => runner.run(op));
 *     }
 *     transaction(fn) { … }
 *   }
 *
 * `implements Store` checks every generated method against the contract.
 */

/** An operation: a Store method that takes its context first. */
export type Operation<C> = (context: C, ...args: never[]) => unknown;

/** The methods `operationStore` makes of a table of operations. */
export type OperationMethods<C, M> = {
  [K in keyof M]: M[K] extends (context: C, ...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

/**
 * Runs one operation on the store's context and resolves with what it returns.
 * `name` is the method called, for runners that treat some operations
 * differently (reads and writes).
 */
export type OperationRunner<C> = (name: string, op: (context: C) => unknown) => Promise<unknown>;

const runners = new WeakMap<object, OperationRunner<never>>();

/** A base class with one method per operation of `ops`, run through the constructor's runner. */
export function operationStore<C, M extends Record<string, Operation<C>>>(
  ops: M,
): new (
  run: OperationRunner<C>,
) => OperationMethods<C, M> {
  class OperationStore {
    constructor(run: OperationRunner<C>) {
      runners.set(this, run as OperationRunner<never>);
    }
  }
  for (const [name, op] of Object.entries(ops)) {
    const call = op as (context: C, ...args: unknown[]) => unknown;
    Object.defineProperty(OperationStore.prototype, name, {
      configurable: true,
      writable: true,
      value(this: object, ...args: unknown[]) {
        const run = runners.get(this) as OperationRunner<C> | undefined;
        if (!run) throw new TypeError(`${name} called on an object that is not its store`);
        return run(name, (context) => call(context, ...args));
      },
    });
  }
  return OperationStore as unknown as new (
    run: OperationRunner<C>,
  ) => OperationMethods<C, M>;
}
