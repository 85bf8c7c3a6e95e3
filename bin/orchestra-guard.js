#!/usr/bin/env node
// Orchestra's collision guard, a Claude Code PreToolUse command hook. Tiny on purpose: it runs
// before every write tool call, so only the guard loads (the hub reader only while a run is active).
import module from 'node:module';

module.enableCompileCache?.();
const { readStdin, runGuardHook } = await import('../dist/guard/hook.js');
const answer = await runGuardHook(await readStdin());
if (answer.stdout) process.stdout.write(answer.stdout);
if (answer.stderr) process.stderr.write(answer.stderr);
process.exitCode = answer.code;
