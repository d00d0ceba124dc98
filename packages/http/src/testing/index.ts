/**
 * `@textport/http/testing`: zip bombs for tests of upload paths (a zip around
 * already deflated entries, and many MiB of zeros in a few KB).
 */
export * from './zip-bomb.js';
