export {
  COPY_LIMIT_BYTES,
  LINK_MARKER,
  linkNodeModules,
  markerKind,
  removeSharedNodeModules,
  type SharedPackages,
  type ShareSettings,
  shareNodeModules,
} from './packages.js';
export { LOCKFILES, type PreparedWorktree, type PrepareSettings, prepareWorktree } from './prepare.js';
export { type CommandOptions, type CommandResult, type CommandRunner, runCommand } from './run-command.js';
