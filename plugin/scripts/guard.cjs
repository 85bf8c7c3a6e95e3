#!/usr/bin/env node
// @ts-check
// Orchestra's collision guard, the plugin's PreToolUse command hook: it runs before every write
// tool call of an interactive Claude Code session, so it is one CommonJS file that loads only
// node:fs and node:path (an ES module entry alone costs ~10% over `node -e 0`; better-sqlite3,
// zod and picomatch cost more than the whole budget). It reads the run markers
// (`.orchestra/active/<run>.json`) and, while a run is active, the hub's lease mirror
// (`.orchestra/leases.json`, written by src/hub/lease-mirror.ts under the hub's write lock with
// each lease change, patterns already compiled). It needs nothing else from the package.
// See docs/decisions/2026-12-02-guard-hook.md.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

/** The tools the guard decides on; every other tool call is allowed untouched. */
const GUARDED_TOOLS = ['Write', 'Edit', 'MultiEdit', 'NotebookEdit'];
/** The lease mirror shape this guard reads (src/hub/lease-mirror.ts LEASE_MIRROR_VERSION). */
const LEASE_MIRROR_VERSION = 1;
const SQLITE_HEADER = 'SQLite format 3\u0000';

/**
 * @typedef {{ decision: 'allow', why: string } | { decision: 'deny', reason: string }} GuardDecision
 * @typedef {{ isAlive?: (pid: number) => boolean, now?: () => number }} GuardSettings
 * @typedef {{ runId: string, pid: number, startedAt: string }} ActiveRunMarker
 * @typedef {{ literal: string, source: string, flags: string }} CompiledGlob
 * @typedef {{ runId: string, taskId: string, title: string | null, pattern: string, match: CompiledGlob[], pid: number, expiresAt: number }} MirroredLease
 * @typedef {{ runId: string, taskId: string, worktree: string }} TaskWorktree
 * @typedef {{ leases: MirroredLease[], worktrees: TaskWorktree[] }} LeaseMirror
 * @typedef {{ code: number, stdout: string, stderr: string }} HookAnswer
 */

/**
 * Decide a PreToolUse call of an interactive Claude Code session: refuse a write to a path held by
 * a live lease of a running Orchestra run in this repository, allow everything else. Fails open
 * only when no run is active; while one is, anything that cannot be read refuses (fails closed).
 * @param {unknown} input the hook's stdin JSON
 * @param {GuardSettings} [settings]
 * @returns {GuardDecision}
 */
function decideGuard(input, settings = {}) {
  const rec = /** @type {Record<string, unknown>} */ (
    typeof input === 'object' && input !== null ? input : {}
  );
  const tool = rec.tool_name;
  if (typeof tool !== 'string' || !GUARDED_TOOLS.includes(tool)) return allow('not a write tool');
  const toolInput = /** @type {Record<string, unknown>} */ (rec.tool_input ?? {});
  const target = toolInput.file_path ?? toolInput.notebook_path;
  if (typeof target !== 'string' || target === '') return allow('no target path');
  const cwd = typeof rec.cwd === 'string' && rec.cwd !== '' ? rec.cwd : process.cwd();

  const real = realTarget(path.isAbsolute(target) ? target : path.join(cwd, target));
  const checkout = checkoutOf(real);
  if (checkout === undefined) return allow('outside any git repository');
  const orchestraDirs = [path.join(checkout.root, '.orchestra')];
  if (checkout.main !== undefined) orchestraDirs.push(path.join(checkout.main, '.orchestra'));
  const isAlive = settings.isAlive ?? pidAlive;

  for (const dir of orchestraDirs) {
    const active = readActiveRuns(dir, isAlive);
    if (!active.ok) return deny(`an Orchestra run may be active, but ${active.error}`);
    if (active.runs.length === 0) continue;
    const ids = active.runs.map((r) => r.runId).join(', ');
    const relative = toPosix(path.relative(checkout.root, real));
    const hubFile = path.join(dir, 'hub.db');
    const mirror = readLeaseMirror(dir);
    if (!mirror.ok)
      return deny(
        `Orchestra run ${ids} is active in this repository, but its hub ${hubFile} cannot be read (${mirror.error}), so it cannot tell whether ${relative} is leased. Writes are refused until the hub can be read; check it with \`orchestra status\`.`,
      );
    for (const w of mirror.value.worktrees)
      if (sameDir(w.worktree, checkout.root)) return allow(`inside the worktree of task ${w.taskId}`);
    const now = settings.now?.() ?? Date.now();
    const hit = mirror.value.leases.find(
      (l) => l.expiresAt > now && isAlive(l.pid) && l.match.some((g) => globMatches(relative, g)),
    );
    if (hit !== undefined) return deny(leaseMessage(relative, hit));
    return allow(`no live lease of run ${ids} covers ${relative}`);
  }
  return allow('no Orchestra run is active');
}

/**
 * What the model (and the user) reads when a write is refused.
 * @param {string} relative
 * @param {{ runId: string, taskId: string, title: string | null, pattern: string }} hit
 */
function leaseMessage(relative, hit) {
  const task = hit.title ? `"${hit.taskId}" (${hit.title})` : `"${hit.taskId}"`;
  return [
    `${relative} is held by task ${task} of the Orchestra run ${hit.runId}, which is running now (lease ${hit.pattern}).`,
    `Editing it here would collide with that task's work. Wait until the task finishes (\`orchestra status ${hit.runId}\`, or the run_status and leases tools) and edit on top of its merged work;`,
    `or, if the change belongs to that task, tell the user, who can give it to the run's owner of ${hit.pattern}. Do not write the file by another tool or path.`,
  ].join(' ');
}

/**
 * A repository-relative POSIX path against one compiled alternative of a glob, as picomatch tests
 * it (`src/domain/globs.ts` compileGlob; a property test holds the two equal).
 * @param {string} relative
 * @param {CompiledGlob} glob
 */
function globMatches(relative, glob) {
  return relative !== '' && (relative === glob.literal || new RegExp(glob.source, glob.flags).test(relative));
}

/**
 * The runs marked active in `<orchestraDir>/active/` whose process is alive. A missing directory
 * means none; a marker that cannot be read is reported (the guard treats it as a run).
 * @param {string} orchestraDir
 * @param {(pid: number) => boolean} [isAlive]
 * @returns {{ ok: true, runs: ActiveRunMarker[] } | { ok: false, error: string }}
 */
function readActiveRuns(orchestraDir, isAlive = pidAlive) {
  const dir = path.join(orchestraDir, 'active');
  /** @type {string[]} */
  let names;
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return { ok: true, runs: [] };
    return { ok: false, error: `cannot read ${dir}: ${messageOf(e)}` };
  }
  /** @type {ActiveRunMarker[]} */
  const runs = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const v = readJson(path.join(dir, name));
    if (
      !isRecord(v) ||
      typeof v.runId !== 'string' ||
      !Number.isInteger(v.pid) ||
      typeof v.startedAt !== 'string'
    )
      return { ok: false, error: `cannot read the run marker ${path.join(dir, name)}` };
    const marker = { runId: v.runId, pid: /** @type {number} */ (v.pid), startedAt: v.startedAt };
    if (isAlive(marker.pid)) runs.push(marker);
  }
  return { ok: true, runs };
}

/**
 * The hub's lease mirror, checked by hand (zod would cost more than this hook's budget): it must
 * be of this version and describe the hub file that is there, and that file must be a SQLite
 * database; anything else is an error (the guard then refuses).
 * @param {string} orchestraDir
 * @returns {{ ok: true, value: LeaseMirror } | { ok: false, error: string }}
 */
function readLeaseMirror(orchestraDir) {
  const hubFile = path.join(orchestraDir, 'hub.db');
  /** @type {string} */
  let hubIno;
  try {
    const fd = fs.openSync(hubFile, 'r');
    try {
      const head = Buffer.alloc(SQLITE_HEADER.length);
      const n = fs.readSync(fd, head, 0, head.length, 0);
      if (n !== head.length || head.toString('latin1') !== SQLITE_HEADER)
        return { ok: false, error: 'it is not a SQLite database' };
      hubIno = fs.fstatSync(fd, { bigint: true }).ino.toString();
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    return { ok: false, error: errnoCode(e) === 'ENOENT' ? 'the file does not exist' : messageOf(e) };
  }
  const file = path.join(orchestraDir, 'leases.json');
  const v = readJson(file);
  if (v === undefined) return { ok: false, error: `its lease mirror ${file} is missing or not JSON` };
  if (!isRecord(v) || v.version !== LEASE_MIRROR_VERSION)
    return { ok: false, error: `its lease mirror ${file} is not of version ${LEASE_MIRROR_VERSION}` };
  if (v.hubIno !== hubIno)
    return { ok: false, error: `its lease mirror ${file} belongs to another hub file` };
  if (!Array.isArray(v.leases) || !v.leases.every(isMirroredLease) || !Array.isArray(v.worktrees))
    return { ok: false, error: `its lease mirror ${file} is damaged` };
  if (
    !v.worktrees.every((w) => isRecord(w) && typeof w.taskId === 'string' && typeof w.worktree === 'string')
  )
    return { ok: false, error: `its lease mirror ${file} is damaged` };
  return { ok: true, value: /** @type {LeaseMirror} */ (/** @type {unknown} */ (v)) };
}

/** @param {unknown} l */
function isMirroredLease(l) {
  return (
    isRecord(l) &&
    typeof l.runId === 'string' &&
    typeof l.taskId === 'string' &&
    (l.title === null || typeof l.title === 'string') &&
    typeof l.pattern === 'string' &&
    Number.isInteger(l.pid) &&
    typeof l.expiresAt === 'number' &&
    Array.isArray(l.match) &&
    l.match.length > 0 &&
    l.match.every(
      (g) =>
        isRecord(g) &&
        typeof g.literal === 'string' &&
        typeof g.source === 'string' &&
        typeof g.flags === 'string',
    )
  );
}

/**
 * The path with `..` resolved and its nearest existing ancestor's symlinks followed (a new file's too).
 * @param {string} absolute
 */
function realTarget(absolute) {
  let head = path.resolve(absolute);
  /** @type {string[]} */
  const tail = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...tail.reverse());
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return path.resolve(absolute);
      tail.push(path.basename(head));
      head = parent;
    }
  }
}

/**
 * The checkout holding a real path: its root (closest ancestor with `.git`) and, for a linked
 * worktree, the main checkout (whose `.orchestra/` holds the runs of the repository).
 * @param {string} real
 * @returns {{ root: string, main?: string } | undefined}
 */
function checkoutOf(real) {
  let dir = path.dirname(real);
  for (;;) {
    const dotGit = path.join(dir, '.git');
    if (fs.existsSync(dotGit)) {
      const main = mainCheckout(dotGit);
      return main === undefined ? { root: dir } : { root: dir, main };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** @param {string} dotGit */
function mainCheckout(dotGit) {
  try {
    if (!fs.statSync(dotGit).isFile()) return undefined;
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(fs.readFileSync(dotGit, 'utf8'));
    if (!m?.[1]) return undefined;
    const gitDir = path.resolve(path.dirname(dotGit), m[1]);
    const marker = `${path.sep}.git${path.sep}worktrees${path.sep}`;
    const at = gitDir.lastIndexOf(marker);
    return at > 0 ? gitDir.slice(0, at) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True while a process with this pid exists (EPERM: it exists but is not ours).
 * @param {number} pid
 */
function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
}

/**
 * The collision guard as a Claude Code `PreToolUse` command hook: hook JSON in, a decision out.
 * An allow prints nothing (the session's own permission rules still apply); a deny is the hook's
 * JSON `permissionDecision: "deny"` with the reason. Input that is not JSON cannot name a path, so
 * it is allowed; an unexpected failure refuses (exit 2), since it may have hidden an active run.
 * @param {string} stdin
 * @param {GuardSettings} [settings]
 * @returns {HookAnswer}
 */
function runGuardHook(stdin, settings = {}) {
  /** @type {unknown} */
  let input;
  try {
    input = JSON.parse(stdin);
  } catch {
    return { code: 0, stdout: '', stderr: '' };
  }
  try {
    const d = decideGuard(input, settings);
    if (d.decision === 'allow') return { code: 0, stdout: '', stderr: '' };
    const out = {
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: d.reason,
      },
    };
    return { code: 0, stdout: `${JSON.stringify(out)}\n`, stderr: '' };
  } catch (e) {
    return {
      code: 2,
      stdout: '',
      stderr: `Orchestra's collision guard failed (${messageOf(e)}); the write is refused in case a run holds the file. Run \`orchestra status\` to see the runs.\n`,
    };
  }
}

/** Run as the hook process: stdin in, the answer out, the exit code set. */
function main() {
  /** @param {string} stdin */
  const answer = (stdin) => {
    const a = runGuardHook(stdin);
    // Straight to the descriptors: process.stdout on a pipe would load node's stream machinery.
    if (a.stdout) writeAll(1, a.stdout);
    if (a.stderr) writeAll(2, a.stderr);
    process.exitCode = a.code;
  };
  /** @type {string} */
  let stdin;
  try {
    stdin = fs.readFileSync(0, 'utf8');
  } catch {
    // A non-blocking stdin (EAGAIN) cannot be read synchronously: read it as a stream.
    /** @type {Buffer[]} */
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(/** @type {Buffer} */ (c)));
    process.stdin.on('end', () => answer(Buffer.concat(chunks).toString('utf8')));
    return;
  }
  answer(stdin);
}

/**
 * Write all of a text to a descriptor (a pipe may take it in parts, or be briefly full).
 * @param {number} fd @param {string} text
 */
function writeAll(fd, text) {
  const buf = Buffer.from(text, 'utf8');
  for (let off = 0; off < buf.length; ) {
    try {
      off += fs.writeSync(fd, buf, off);
    } catch (e) {
      if (errnoCode(e) !== 'EAGAIN') throw e;
    }
  }
}

/** @param {string} why @returns {GuardDecision} */
function allow(why) {
  return { decision: 'allow', why };
}

/** @param {string} reason @returns {GuardDecision} */
function deny(reason) {
  return { decision: 'deny', reason };
}

/** @param {string} p */
function toPosix(p) {
  return p.split(path.sep).join('/');
}

/** @param {string} a @param {string} b */
function sameDir(a, b) {
  try {
    return fs.realpathSync(a) === b;
  } catch {
    return false;
  }
}

/** @param {string} file @returns {unknown} undefined when it cannot be read or parsed */
function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** @param {unknown} v @returns {v is Record<string, unknown>} */
function isRecord(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** @param {unknown} e */
function errnoCode(e) {
  return isRecord(e) && typeof e.code === 'string' ? e.code : undefined;
}

/** @param {unknown} e */
function messageOf(e) {
  return e instanceof Error ? e.message : String(e);
}

module.exports = {
  GUARDED_TOOLS,
  LEASE_MIRROR_VERSION,
  checkoutOf,
  decideGuard,
  globMatches,
  leaseMessage,
  main,
  readActiveRuns,
  readLeaseMirror,
  realTarget,
  runGuardHook,
};

if (require.main === module) main();
