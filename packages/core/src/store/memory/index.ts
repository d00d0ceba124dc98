/**
 * The in-memory reference store: a complete, single-process Store for tests,
 * demos and embedding without a database.
 */
import { MemoryStore } from './store.js';

export { memoryRawReader } from './raw.js';
export { MemoryStore };

/** A memory store over fresh, empty tables. */
export function createMemoryStore(): MemoryStore {
  return MemoryStore.create();
}
