import { runStoreConformance } from '@textport/core/testing';
import { sqliteHarness } from './helpers.js';

runStoreConformance({ name: 'sqlite', createHarness: () => sqliteHarness() });
