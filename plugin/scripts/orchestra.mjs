#!/usr/bin/env node
// The plugin's entry point for any `orchestra` command (`mcp` for the MCP server). Claude Code
// copies an installed plugin into its own cache, so the plugin cannot reach the Orchestra package
// by a relative path: this script finds it. The collision guard hook is `guard.cjs`, which needs
// nothing from the package; `guard` here runs it too.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import module, { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

module.enableCompileCache?.();

const [command, ...rest] = process.argv.slice(2);
const home = command === 'guard' ? undefined : findOrchestra();

if (command === 'guard') {
  createRequire(import.meta.url)('./guard.cjs').main();
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
    return pkg.name === 'orchestra' && existsSync(join(dir, 'dist', 'cli', 'main.js'));
  } catch {
    return false;
  }
}
