#!/usr/bin/env node
// The plugin's one entry point: `guard` (the PreToolUse collision guard) or any `orchestra` command
// (`mcp` for the MCP server). Claude Code copies an installed plugin into its own cache, so the
// plugin cannot reach the Orchestra package by a relative path: this script finds it.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import module from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

module.enableCompileCache?.();

const [command, ...rest] = process.argv.slice(2);
const home = findOrchestra();

if (command === 'guard') {
  const stdin = await readStdin();
  if (home === undefined) guardWithoutOrchestra(stdin);
  else {
    const { runGuardHook } = await import(pathToFileURL(join(home, 'dist', 'guard', 'hook.js')).href);
    const answer = await runGuardHook(stdin);
    if (answer.stdout) process.stdout.write(answer.stdout);
    if (answer.stderr) process.stderr.write(answer.stderr);
    process.exitCode = answer.code;
  }
} else if (home === undefined) {
  process.stderr.write(
    'orchestra: the Orchestra package was not found. Install it in the project (npm install --save-dev orchestra) or globally, or set ORCHESTRA_HOME to its directory.\n',
  );
  process.exitCode = 2;
} else if (command === 'mcp' && rest.length === 0) {
  // Straight to the server: Claude Code lists the tools of a server only once it has connected.
  const { serveStdio } = await import(pathToFileURL(join(home, 'dist', 'mcp', 'server.js')).href);
  await serveStdio({ cwd: process.cwd(), env: process.env });
} else {
  const { runCli } = await import(pathToFileURL(join(home, 'dist', 'cli', 'main.js')).href);
  process.exitCode = await runCli([command ?? '--help', ...rest]);
}

/** The Orchestra package: $ORCHESTRA_HOME, the package around this plugin, the project's dependency, or the one on PATH. */
function findOrchestra() {
  const env = process.env;
  if (env.ORCHESTRA_HOME) return isOrchestra(env.ORCHESTRA_HOME) ? env.ORCHESTRA_HOME : undefined;
  const pluginRoot = dirname(dirname(fileURLToPath(import.meta.url)));
  const candidates = [dirname(pluginRoot)];
  for (let d = env.CLAUDE_PROJECT_DIR || process.cwd(); ; d = dirname(d)) {
    candidates.push(join(d, 'node_modules', 'orchestra'));
    if (dirname(d) === d) break;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const bin = join(dir, 'orchestra');
    if (!dir || !existsSync(bin)) continue;
    try {
      candidates.push(dirname(dirname(realpathSync(bin))));
    } catch {
      // A dangling link on PATH is not Orchestra.
    }
  }
  return candidates.find(isOrchestra);
}

function isOrchestra(dir) {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return pkg.name === 'orchestra' && existsSync(join(dir, 'dist', 'guard', 'hook.js'));
  } catch {
    return false;
  }
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Without the package the leases cannot be read: allow when no run is marked active in the
 * repository, refuse writes otherwise (the guard fails closed during a run).
 */
function guardWithoutOrchestra(stdin) {
  let cwd = process.cwd();
  try {
    const input = JSON.parse(stdin);
    if (!['Write', 'Edit', 'MultiEdit', 'NotebookEdit'].includes(input.tool_name)) return;
    if (typeof input.cwd === 'string') cwd = input.cwd;
  } catch {
    return;
  }
  for (let d = cwd; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) {
      let marked = [];
      try {
        marked = readdirSync(join(d, '.orchestra', 'active')).filter((n) => n.endsWith('.json'));
      } catch {
        return;
      }
      if (marked.length === 0) return;
      process.stdout.write(
        `${JSON.stringify({
          hookSpecificOutput: {
            hookEventName: 'PreToolUse',
            permissionDecision: 'deny',
            permissionDecisionReason:
              'An Orchestra run is marked active in this repository, but the Orchestra package was not found to read its leases, so writes are refused. Install Orchestra in the project or set ORCHESTRA_HOME.',
          },
        })}\n`,
      );
      return;
    }
    if (dirname(d) === d) return;
  }
}
