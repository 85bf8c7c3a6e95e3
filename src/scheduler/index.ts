export {
  createDispatcher,
  type Dispatcher,
  type DispatchState,
  dispatcherOf,
  tasksToStart,
} from './dispatcher.js';
export {
  type PreparedSchedule,
  prepareSchedule,
  type ScheduleLimits,
  type ScheduleOptions,
  type ScheduleWarning,
} from './select.js';
export {
  type SimulationOptions,
  type SimulationResult,
  type SimulationStrategy,
  simulateSchedule,
} from './simulate.js';
export {
  buildTaskGraph,
  criticalPathRanks,
  type SchedulableTask,
  type TaskGraph,
  topologicalOrder,
} from './task-graph.js';
export { planWaves, type Wave, type WavePlan, wavesOf } from './waves.js';
