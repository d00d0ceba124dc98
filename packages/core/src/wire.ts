/**
 * `@textport/core/wire`: the httpSMS v1 wire format for code that speaks it
 * (`@textport/http`, other front ends): the zod schemas of the JSON shapes, the
 * converters from stored records, and the field checks whose messages the API
 * answers with (`Checker`).
 */
export * from './domain/wire.js';
export * from './domain/wire-integrations.js';
export * from './domain/wire-phones.js';
export * from './domain/wire-pools.js';
export * from './domain/wire-suppressions.js';
export { Checker } from './gateway/validate.js';
