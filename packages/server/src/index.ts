export { banner } from './banner.js';
export * from './bootstrap.js';
export * from './config.js';
export * from './database.js';
export * from './server.js';
