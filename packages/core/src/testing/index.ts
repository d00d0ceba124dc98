/**
 * `@textport/core/testing`: the Store conformance suite, record factories and zip bombs.
 * Needs Vitest (an optional peer dependency).
 */
export { runStoreConformance } from './conformance.js';
export * from './fixtures.js';
export type { RawReader, StoreConformanceOptions, StoreHarness } from './harness.js';
export type { TransportConformanceOptions, TransportHarness } from './transport.js';
export { runTransportConformance } from './transport.js';
export * from './zip-bomb.js';
