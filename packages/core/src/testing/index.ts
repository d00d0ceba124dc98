/**
 * `@textport/core/testing`: the Store and Transport conformance suites and record
 * factories.
 * Needs Vitest (an optional peer dependency).
 */
export { runStoreConformance } from './conformance.js';
export * from './fixtures.js';
export type { RawReader, StoreConformanceOptions, StoreHarness } from './harness.js';
export type { TransportConformanceOptions, TransportHarness } from './transport.js';
export { runTransportConformance, WAIT } from './transport.js';
