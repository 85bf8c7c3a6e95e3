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
 * A project type checker over `root`. Each check builds a semantic-diagnostics builder program on
 * top of the previous one and hands unchanged files back as the same parsed objects, so only
 * files that changed (and those depending on them) are checked again.
 */
export function createProjectTypeChecker(settings: {
  root: string;
  cache?: SourceFileCache;
}): ProjectTypeChecker {
  const cache = settings.cache ?? new SourceFileCache();
  let previous: ts.SemanticDiagnosticsBuilderProgram | undefined;
  return {
    check() {
      const config = loadProjectConfig(settings.root);
      const host = cachingHost(config.options, cache);
      const program = ts.createSemanticDiagnosticsBuilderProgram(
        config.fileNames,
        config.options,
        host,
        previous,
      );
      previous = program;
      const diagnostics = [
        ...program.getOptionsDiagnostics(),
        ...program.getGlobalDiagnostics(),
        ...program.getSyntacticDiagnostics(),
        ...program.getSemanticDiagnostics(),
      ];
      return diagnostics
        .filter((d) => d.category === ts.DiagnosticCategory.Error)
        .filter((d) => !d.file || !/[\\/]node_modules[\\/]/.test(d.file.fileName))
        .map((d) => toDiagnostic(settings.root, d));
    },
  };
}

function toDiagnostic(root: string, d: ts.Diagnostic): TypeDiagnostic {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return { code: d.code, message };
  return {
    file: relativePosix(root, d.file.fileName),
    ...lineColumn(d.file, d.start),
    code: d.code,
    message,
  };
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
