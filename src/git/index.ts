export * from './git.js';
export * from './identity.js';
export * from './lock.js';
export * from './process-liveness.js';
export * from './repo.js';
export * from './work-dir.js';
export * from './write.js';
