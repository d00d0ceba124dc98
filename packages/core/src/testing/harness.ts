/** What a Store implementation hands to the conformance suite. */

import type { RawReader } from '../store/raw-reader.js';
import type { Store } from '../store.js';

export type { RawReader } from '../store/raw-reader.js';

export interface StoreHarness {
  store: Store;
  raw: RawReader;
  close?(): Promise<void>;
}

export interface StoreConformanceOptions {
  /** Names the suite, e.g. 'memory', 'sqlite', 'postgres'. */
  name: string;
  /** Called once per group (before its tests); `close()` runs after them. */
  createHarness(): Promise<StoreHarness>;
  /** When a string, every group is registered but skipped and the reason shows in the title. */
  skip?: string | false;
}
