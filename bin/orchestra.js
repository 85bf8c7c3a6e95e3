#!/usr/bin/env node
// Tiny entry point: the compile cache keeps start-up fast; everything else loads lazily.
import module from 'node:module';

module.enableCompileCache?.();
const { runCli } = await import('../dist/cli/main.js');
process.exitCode = await runCli(process.argv.slice(2));
