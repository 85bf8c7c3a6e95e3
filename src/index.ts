/** Orchestra's public API. */
export * from './domain/index.js';
export * from './errors.js';
