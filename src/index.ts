/** Orchestra's public API: one export per layer (each folder's index is its public face). */
export * from './agents/index.js';
export * from './config/index.js';
export * from './domain/index.js';
export * from './errors.js';
export * from './executor/index.js';
export * from './git/index.js';
export * from './hub/index.js';
export * from './lifecycle/index.js';
export * from './orchestrator/index.js';
export * from './scheduler/index.js';
