import { runStoreConformance } from '@textport/core/testing';
import { PG_SKIP, pgHarness } from './helpers.js';

runStoreConformance({
  name: 'postgres',
  skip: PG_SKIP,
  capabilities: { crossProcess: true, skipLocked: true },
  createHarness: () => pgHarness(),
});
