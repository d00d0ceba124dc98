/** The SMSGate stores: the conformance suite on the memory store. */
import { createMemoryStore } from '@textport/core';
import { memoryStore } from '../src/store/memory.js';
import { runSmsGateStoreConformance } from './store-conformance.js';

runSmsGateStoreConformance('memory', async () => ({
  store: memoryStore(),
  coreStore: createMemoryStore(),
  transactional: false,
  close: async () => {},
}));
