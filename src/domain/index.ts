export * from './agent.js';
export * from './event.js';
export * from './globs.js';
export * from './handoff.js';
export * from './parse.js';
export * from './plan.js';
export * from './schemas.js';
export * from './task-result.js';
