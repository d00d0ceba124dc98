export * from './clock.js';
export * from './errors.js';
export * from './lifecycle/status.js';
export type * from './store.js';
