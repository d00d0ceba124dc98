import { createMemoryStore, memoryRawReader } from '../../src/store/memory/index.js';
import { runStoreConformance } from '../../src/testing/index.js';

runStoreConformance({
  name: 'memory',
  createHarness: async () => {
    const store = createMemoryStore();
    return { store, raw: memoryRawReader(store) };
  },
});
