export {
  ACTIVE_DIR,
  type ActiveRunMarker,
  type ActiveRuns,
  activeDir,
  markRunActive,
  pidAlive,
  readActiveRuns,
} from './active-runs.js';
export {
  checkoutOf,
  decideGuard,
  GUARDED_TOOLS,
  type GuardDecision,
  type GuardSettings,
  type LeaseHit,
  leaseMessage,
  realTarget,
} from './guard.js';
export { type HookAnswer, readStdin, runGuardHook } from './hook.js';
