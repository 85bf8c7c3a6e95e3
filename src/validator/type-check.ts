import { join } from 'node:path';
import type ts from 'typescript';
import type { Task } from '../domain/index.js';
import { ownerOf } from './ownership.js';
import { loadProjectTypeScript, type ProjectTypeScript } from './project-typescript.js';
import { cachingHost, lineColumn, loadProjectConfig, relativePosix, SourceFileCache } from './ts-program.js';
import type { Finding } from './types.js';

/** One compiler error in the project, relative to the tree's root. */
export interface TypeDiagnostic {
  file?: string;
  line?: number;
  column?: number;
  code: number;
  message: string;
}

/** A type checker of one tree that reuses its previous program, so later checks are incremental. */
export interface ProjectTypeChecker {
  /** Errors of the tree as it is on disk now. */
  check(): TypeDiagnostic[];
  /** The compiler that checks: the project's own unless it has none. */
  typescript: Omit<ProjectTypeScript, 'ts'>;
}

/**
 * A project type checker over `root`. Each check builds a builder program on top of the previous
 * one and hands unchanged files back as the same parsed objects, so only files that changed (and
 * those whose imports changed shape) are checked again. Declarations are "emitted" to nowhere:
 * that records each file's API signature, without which the first change would be taken as an
 * API change and re-check every file depending on it, transitively.
 */
export function createProjectTypeChecker(settings: {
  root: string;
  cache?: SourceFileCache;
  /** Default: the project's own TypeScript (`loadProjectTypeScript`). */
  typescript?: ProjectTypeScript;
}): ProjectTypeChecker {
  const compiler = settings.typescript ?? loadProjectTypeScript(settings.root);
  const tsc = compiler.ts;
  const cache = settings.cache && settings.cache.compiler === tsc ? settings.cache : new SourceFileCache(tsc);
  let previous: ts.EmitAndSemanticDiagnosticsBuilderProgram | undefined;
  let signatures = true;
  const run = (): TypeDiagnostic[] => {
    const config = loadProjectConfig(settings.root, tsc);
    const options = signatures ? signatureOptions(config.options, settings.root) : config.options;
    const host = cachingHost(options, cache);
    host.writeFile = () => {};
    const program = tsc.createEmitAndSemanticDiagnosticsBuilderProgram(
      config.fileNames,
      options,
      host,
      previous,
    );
    const optionErrors = program
      .getOptionsDiagnostics()
      .filter((d) => d.category === tsc.DiagnosticCategory.Error);
    if (signatures && optionErrors.length > 0) {
      // The project's options do not allow declaration output: check without it from now on.
      signatures = false;
      previous = undefined;
      return run();
    }
    previous = program;
    const diagnostics = [
      ...optionErrors,
      ...program.getGlobalDiagnostics(),
      ...program.getSyntacticDiagnostics(),
      ...program.getSemanticDiagnostics(),
    ];
    if (signatures) program.emit(undefined, () => {}, undefined, true);
    return diagnostics
      .filter((d) => d.category === tsc.DiagnosticCategory.Error)
      .filter((d) => !d.file || !/[\\/]node_modules[\\/]/.test(d.file.fileName))
      .map((d) => toDiagnostic(tsc, settings.root, d));
  };
  const { ts: _, ...typescript } = compiler;
  return { check: run, typescript };
}

/** The project's options with declaration output switched on, written nowhere. */
function signatureOptions(options: ts.CompilerOptions, root: string): ts.CompilerOptions {
  const o: ts.CompilerOptions = {
    ...options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    outDir: join(root, '.orchestra-typecheck-out'),
  };
  for (const k of [
    'rootDir',
    'declarationDir',
    'outFile',
    'declarationMap',
    'sourceMap',
    'inlineSourceMap',
    'noEmitOnError',
  ] as const) {
    delete o[k];
  }
  return o;
}

function toDiagnostic(tsc: ProjectTypeScript['ts'], root: string, d: ts.Diagnostic): TypeDiagnostic {
  const message = readableMessage(root, tsc.flattenDiagnosticMessageText(d.messageText, '\n'));
  if (!d.file || d.start === undefined) return { code: d.code, message };
  return {
    file: relativePosix(root, d.file.fileName),
    ...lineColumn(d.file, d.start),
    code: d.code,
    message,
  };
}

/**
 * The compiler names colliding types by absolute path (`import("/tmp/…/integration/src/x", { with: … }).T`):
 * make them repository-relative (`import("src/x").T`) so reports and fix tasks read well and stay stable.
 */
export function readableMessage(root: string, message: string): string {
  const prefix = `${root.replaceAll('\\', '/').replace(/\/$/, '')}/`;
  return message
    .replace(/import\("([^"]+)", \{ with: \{ "resolution-mode": "[^"]+" \} \}\)/g, 'import("$1")')
    .split(prefix)
    .join('');
}

/**
 * A key of a diagnostic without its position: the same error moved by an insertion above it is
 * still the same error (file, code and message match).
 */
export function diagnosticKey(d: TypeDiagnostic): string {
  return `${d.file ?? ''}:${d.code}:${d.message}`;
}

/**
 * The diagnostics of `now` that the base did not have, matched by file, code and message (not
 * line): a file with two copies of an error on the base and three now has one new.
 */
export function newDiagnostics(
  base: readonly TypeDiagnostic[],
  now: readonly TypeDiagnostic[],
): { fresh: TypeDiagnostic[]; old: TypeDiagnostic[] } {
  const left = new Map<string, number>();
  for (const d of base) left.set(diagnosticKey(d), (left.get(diagnosticKey(d)) ?? 0) + 1);
  const fresh: TypeDiagnostic[] = [];
  const old: TypeDiagnostic[] = [];
  for (const d of now) {
    const n = left.get(diagnosticKey(d)) ?? 0;
    if (n > 0) {
      left.set(diagnosticKey(d), n - 1);
      old.push(d);
    } else fresh.push(d);
  }
  return { fresh, old };
}

/**
 * Findings for type errors, each mapped to the task owning its file through the ownership globs;
 * `introducedBy` names the merge after which the error first appeared.
 */
export function typeErrorFindings(
  diagnostics: readonly TypeDiagnostic[],
  tasks: readonly Task[],
  introducedBy?: string,
): Finding[] {
  return diagnostics.map((d) => {
    const owner = d.file ? ownerOf(d.file, tasks) : undefined;
    const where = d.file ? `${d.file}:${d.line}:${d.column}` : 'project';
    const related = introducedBy && introducedBy !== owner?.id ? [introducedBy] : undefined;
    return {
      id: `type:${diagnosticKey(d)}`,
      kind: 'type-error',
      severity: 'error',
      ...(owner ? { taskId: owner.id, agent: owner.agent } : {}),
      title: `Type error TS${d.code} in ${where}`,
      details: [
        d.message,
        ...(related ? [`first seen after merging ${introducedBy}`] : []),
        ...(owner ? [] : ['no task owns this file']),
      ],
      ...(d.file && d.line && d.column ? { location: { file: d.file, line: d.line, column: d.column } } : {}),
      fix: `make ${d.file ?? 'the project'} type-check: ${d.message.split('\n')[0]}`,
      ...(related ? { relatedTasks: related } : {}),
    };
  });
}
