import { join } from 'node:path';
import ts from 'typescript';
import type { Task } from '../domain/plan.js';
import { ownerOf } from './ownership.js';
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
}): ProjectTypeChecker {
  const cache = settings.cache ?? new SourceFileCache();
  let previous: ts.EmitAndSemanticDiagnosticsBuilderProgram | undefined;
  let signatures = true;
  const run = (): TypeDiagnostic[] => {
    const config = loadProjectConfig(settings.root);
    const options = signatures ? signatureOptions(config.options, settings.root) : config.options;
    const host = cachingHost(options, cache);
    host.writeFile = () => {};
    const program = ts.createEmitAndSemanticDiagnosticsBuilderProgram(
      config.fileNames,
      options,
      host,
      previous,
    );
    const optionErrors = program
      .getOptionsDiagnostics()
      .filter((d) => d.category === ts.DiagnosticCategory.Error);
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
      .filter((d) => d.category === ts.DiagnosticCategory.Error)
      .filter((d) => !d.file || !/[\\/]node_modules[\\/]/.test(d.file.fileName))
      .map((d) => toDiagnostic(settings.root, d));
  };
  return { check: run };
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

function toDiagnostic(root: string, d: ts.Diagnostic): TypeDiagnostic {
  const message = readableMessage(root, ts.flattenDiagnosticMessageText(d.messageText, '\n'));
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

/** A stable key of a diagnostic, to tell new errors from ones already reported. */
export function diagnosticKey(d: TypeDiagnostic): string {
  return `${d.file ?? ''}:${d.line ?? 0}:${d.code}:${d.message}`;
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
