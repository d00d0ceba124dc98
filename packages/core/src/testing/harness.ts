/** What a Store implementation hands to the conformance suite. */

import type { RawReader } from '../store/raw-reader.js';
import type { Store } from '../store.js';

export type { RawReader } from '../store/raw-reader.js';

/** Another store on the same data, through connections of its own. */
export interface SecondStore {
  store: Store;
  /** Releases what the second store opened (its connections); the data stays. */
  close(): Promise<void>;
}

export interface StoreHarness {
  store: Store;
  raw: RawReader;
  /**
   * Opens another store on the harness's data, as a second process would (its
   * own pool or connection). Needed when the suite declares `crossProcess`.
   */
  openSecondStore?(): Promise<SecondStore>;
  close?(): Promise<void>;
}

/**
 * What a store can be tested for beyond the contract every store meets. A
 * conformance group that needs a capability runs only where it is declared,
 * and shows as skipped, with the reason, elsewhere.
 */
export interface ConformanceCapabilities {
  /**
   * Several processes may share the store (`StoreCapabilities.multiProcess`):
   * claims from two stores on the same data never hand out a row twice. The
   * harness must implement `openSecondStore`.
   */
  crossProcess?: boolean;
  /**
   * Claims skip rows that another open transaction has locked instead of
   * waiting for it (`StoreCapabilities.skipLocked`). Tested from a second
   * store, so it needs `crossProcess` too.
   */
  skipLocked?: boolean;
}

export type ConformanceCapability = keyof ConformanceCapabilities;

export interface StoreConformanceOptions {
  /** Names the suite, e.g. 'memory', 'sqlite', 'postgres'. */
  name: string;
  /** Called once per group (before its tests); `close()` runs after them. */
  createHarness(): Promise<StoreHarness>;
  /** When a string, every group is registered but skipped and the reason shows in the title. */
  skip?: string | false;
  /** What the store can be tested for beyond the contract (default: nothing more). */
  capabilities?: ConformanceCapabilities;
}
