import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { action, type CliContext } from '../command.js';
import { printJson } from '../io.js';

/** `orchestra schema <name>`: print a domain schema as JSON Schema. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('schema')
    .description('Print a schema (agent, plan, handoff, result, event) as JSON Schema')
    .argument('[name]', 'schema name; omit to list the names')
    .action(
      action(ctx, async (name?: string) => {
        const { SCHEMAS, toJsonSchema } = await import('../../domain/index.js');
        const names = Object.keys(SCHEMAS);
        if (name === undefined) {
          ctx.io.stdout(`${names.join('\n')}\n`);
          return 0;
        }
        if (!names.includes(name)) {
          throw new UserError(
            'unknown-schema',
            `unknown schema "${name}"; choose one of: ${names.join(', ')}`,
          );
        }
        printJson(ctx.io, toJsonSchema(name as keyof typeof SCHEMAS));
        return 0;
      }),
    );
}
