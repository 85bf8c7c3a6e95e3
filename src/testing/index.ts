export {
  type ConformanceHarness,
  type ConformanceMatchers,
  type ConformanceTestApi,
  describeExecutorConformance,
  type ExecutorConformanceSettings,
} from './conformance.js';
export type { ManualTimers } from './manual-timers.js';
export { manualTimers } from './manual-timers.js';
export type { ModelRequestBody, RecordedRequest, SideRequestKind } from './model-request.js';
export { conversationKey, searchableText, sideRequestKind } from './model-request.js';
export type { ModelServer, ModelServerOptions } from './model-server.js';
export { startModelServer } from './model-server.js';
export type {
  ErrorTurnOptions,
  Matcher,
  Scenario,
  ScenarioBlock,
  ToolCall,
  Turn,
  TurnUsage,
} from './scenario.js';
export { call, DEFAULT_TURN_USAGE, matches, ScenarioBuilder, scenario } from './scenario.js';
export type { PlayDecision } from './scenario-player.js';
export { ScenarioPlayer } from './scenario-player.js';
export type { ScriptedExecutor, ScriptedExecutorSettings } from './scripted-executor.js';
export { createScriptedExecutor } from './scripted-executor.js';
