export { DEMO_DIR, SAMPLE_DIR, SCENARIO_DIR } from './paths.js';
export { DEMO_REQUEST, demoPlan, OPERATION_CONTRACT } from './plan.js';
export { progressLine } from './progress.js';
export { type DemoOptions, type DemoResult, runDemo } from './run-demo.js';
export {
  createDemoRepo,
  type DemoRepo,
  type DemoRepoSettings,
  typescriptNodeModules,
} from './sample-repo.js';
export {
  changedLines,
  changedRun,
  type DemoScenario,
  type DemoScenarioOptions,
  demoScenario,
  MISMATCH,
} from './scenario.js';
