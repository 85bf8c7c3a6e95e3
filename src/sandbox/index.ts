export { bwrapCommand, toolPaths } from './bwrap.js';
export type { PackageCaches } from './caches.js';
export { packageCaches } from './caches.js';
export { sandboxCommand, unconfinedCommand } from './command.js';
export type { CommandSandbox, PreparedCommand } from './confine.js';
export { prepareCommand } from './confine.js';
export type { DetectSettings, SandboxDetection } from './detect.js';
export { detectSandbox, INSTALL_HINT } from './detect.js';
export type { AgentEnvSettings } from './env.js';
export { agentEnv, commandEnv, isAllowedVar, MODEL_CONNECTION_VARS, MODEL_CREDENTIAL_VARS } from './env.js';
export { sandboxExecCommand, sandboxExecProfile } from './macos.js';
export {
  ensureDirs,
  NODE_MODULES_PRIVATE_DIRS,
  type NodeModulesLayers,
  nodeModulesLayers,
  ownedDirs,
} from './owned-dirs.js';
export { type HiddenPath, SECRET_DIRS, SECRET_FILES, secretPaths } from './secrets.js';
export { installShellPrefix, SHELL_PREFIX_SCRIPT } from './shell-prefix.js';
export type { SandboxCommand, SandboxRuntime, SandboxSpec } from './spec.js';
export { SANDBOX_TMP } from './spec.js';
