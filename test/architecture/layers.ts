/**
 * The layer graph of `src/`, as data: each layer (a folder, or a file at the root of `src/`) and the
 * layers it may import. `npm test` checks the code against it (`layers.test.ts`) and the diagram in
 * `docs/architecture.md` is generated from it (`npm run diagram`). Widening a rule here is a design
 * decision: say why in the commit.
 */
export interface Layer {
  /** What the layer is, as the diagram shows it. */
  about: string;
  /** The layers it may import (only through their faces). */
  imports: readonly string[];
  /**
   * Its public faces, the only files other layers import: `index.ts`, and for a layer whose index
   * pulls in a heavy dependency (TypeScript's compiler, the Agent SDK), a lighter face re-exporting a
   * part of it, so the CLI's lazy `import()` of a quick command stays quick. Default `['index.ts']`.
   */
  faces?: readonly string[];
}

/** Every layer of `src/`, top first. */
export const LAYERS = {
  index: {
    about: "the package's curated public API",
    imports: [
      'agents',
      'config',
      'domain',
      'errors',
      'executor',
      'hub',
      'orchestrator',
      'run',
      'sandbox',
      'validator',
    ],
  },
  cli: {
    about: 'one file per command',
    imports: [
      'agents',
      'config',
      'demo',
      'domain',
      'errors',
      'executor',
      'git',
      'hub',
      'mcp',
      'orchestrator',
      'plugin',
      'run',
      'scheduler',
      'terminal',
      'validator',
    ],
  },
  mcp: {
    about: 'MCP server for Claude Code',
    imports: ['agents', 'config', 'errors', 'git', 'hub', 'orchestrator', 'run', 'scheduler', 'validator'],
  },
  demo: {
    about: 'sample repo + scripted scenario',
    imports: ['domain', 'executor', 'hub', 'run', 'testing'],
  },
  plugin: { about: 'Claude Code plugin install', imports: ['errors'] },
  run: {
    about: 'the engine, resume, reports',
    // read.ts: status, runs and reports without the engine (and so without TypeScript's compiler).
    faces: ['index.ts', 'read.ts'],
    imports: [
      'agents',
      'config',
      'domain',
      'errors',
      'executor',
      'git',
      'guard',
      'hub',
      'lifecycle',
      'orchestrator',
      'sandbox',
      'scheduler',
      'terminal',
      'validator',
      'workspace',
    ],
  },
  testing: {
    about: 'scripted model server, scenarios, conformance suite',
    imports: ['domain', 'executor'],
  },
  orchestrator: {
    about: 'request → validated plan',
    // plans.ts: loading, checking and rendering plans without the planner, the survey or the SDK.
    faces: ['index.ts', 'plans.ts'],
    imports: ['agents', 'config', 'domain', 'errors', 'executor', 'git', 'hub', 'scheduler'],
  },
  validator: {
    about: 'merge train, contracts, criteria',
    imports: ['config', 'domain', 'errors', 'git', 'hub', 'sandbox', 'terminal', 'workspace'],
  },
  executor: {
    about: 'Executor interface, Claude Code adapter, worktrees',
    // registry.ts: the worktree registry and sweep without the Claude Code adapter (the Agent SDK).
    faces: ['index.ts', 'registry.ts'],
    imports: ['config', 'domain', 'errors', 'git', 'sandbox', 'workspace'],
  },
  guard: { about: 'active-run markers; the hook is plugin/scripts/guard.cjs', imports: ['domain'] },
  hub: { about: 'SQLite store, leases, packets', imports: ['domain', 'errors', 'git'] },
  workspace: { about: 'share packages, setup command', imports: ['config'] },
  lifecycle: { about: 'monitors, handoffs', imports: ['config', 'domain'] },
  agents: { about: 'load + lint definitions', imports: ['config', 'domain', 'errors'] },
  scheduler: { about: 'waves, dispatcher', imports: ['domain', 'errors'] },
  git: { about: 'argument-array runner, per-repo lock', imports: ['domain', 'errors'] },
  sandbox: { about: 'bubblewrap / sandbox-exec commands, env allowlist', imports: ['domain'] },
  config: { about: 'orchestra.config.json, state dir', imports: ['domain', 'errors'] },
  terminal: { about: 'colour, width, NO_COLOR', imports: [] },
  domain: { about: 'zod schemas, globs', imports: [] },
  errors: { about: 'OrchestraError, UserError', imports: [] },
} satisfies Record<string, Layer>;

/** Packages product code never imports (they are test tools; `dist/` must not need them). */
export const FORBIDDEN_PACKAGES: readonly string[] = ['vitest', '@vitest/', 'fast-check'];
