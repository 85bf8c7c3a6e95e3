export { CONFIG_FILE_NAME, configPath, loadConfig, parseConfigText, readConfigFile } from './load.js';
export { findRepoRoot, projectRoot } from './repo-root.js';
export {
  configSchema,
  DEFAULT_CONFIG,
  defaultConfig,
  type ExecutorConfig,
  executorConfigSchema,
  type LifecycleConfig,
  lifecycleConfigSchema,
  type OrchestraConfig,
  type OrchestraConfigInput,
  PACKAGES_MODES,
  type PackagesMode,
  SETTING_SOURCES,
  SETUP_WHEN,
  type WorktreeConfig,
  worktreeConfigSchema,
} from './schema.js';
export {
  platformStateDir,
  repoStateName,
  resolveStateDir,
  runWorktreesDir,
  STATE_DIR_ENV,
  type StateDirSettings,
} from './state-dir.js';
export { lineColumnAt, stripJsonComments } from './strip-comments.js';
export { CONFIG_TEMPLATE } from './template.js';
