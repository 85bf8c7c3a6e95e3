import type { CommandModule } from './command.js';
import * as schema from './commands/schema.js';

/** Every command module, in the order `--help` lists them. */
export const commandModules: readonly CommandModule[] = [schema];
