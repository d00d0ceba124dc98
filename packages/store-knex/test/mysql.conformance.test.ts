import { runStoreConformance } from '@textport/core/testing';
import { MYSQL_SKIP, mysqlHarness } from './helpers.js';

runStoreConformance({
  name: 'mysql',
  skip: MYSQL_SKIP,
  capabilities: { crossProcess: true, skipLocked: true },
  createHarness: () => mysqlHarness(),
});
