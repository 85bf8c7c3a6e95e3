import type { CommandModule } from './command.js';
import * as agents from './commands/agents.js';
import * as clean from './commands/clean.js';
import * as demo from './commands/demo.js';
import * as doctor from './commands/doctor.js';
import * as init from './commands/init.js';
import * as mcp from './commands/mcp.js';
import * as plan from './commands/plan.js';
import * as plugin from './commands/plugin.js';
import * as report from './commands/report.js';
import * as run from './commands/run.js';
import * as runs from './commands/runs.js';
import * as schema from './commands/schema.js';
import * as status from './commands/status.js';
import * as task from './commands/task.js';
import * as validate from './commands/validate.js';

/** Every command module, in the order `--help` lists them. */
export const commandModules: readonly CommandModule[] = [
  init,
  doctor,
  demo,
  agents,
  plan,
  run,
  status,
  runs,
  report,
  schema,
  task,
  validate,
  clean,
  plugin,
  mcp,
];
