import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import type { TypeScriptModule } from './project-typescript.js';

/** Compiler options and root files of a project tree. */
export interface ProjectConfig {
  options: ts.CompilerOptions;
  fileNames: string[];
}

const FALLBACK_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
  allowImportingTsExtensions: true,
};

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.orchestra', 'dist', 'build', 'coverage']);

/**
 * The project's tsconfig.json when it has one (its own file list and options), otherwise every
 * .ts/.tsx file of the tree with strict defaults. Emit is always off: the validator only checks.
 */
export function loadProjectConfig(root: string, compiler: TypeScriptModule = ts): ProjectConfig {
  const configPath = join(root, 'tsconfig.json');
  const read = compiler.readConfigFile(configPath, compiler.sys.readFile);
  if (!read.error && read.config) {
    const parsed = compiler.parseJsonConfigFileContent(
      read.config,
      compiler.sys,
      root,
      undefined,
      configPath,
    );
    return { options: checkOnly(parsed.options), fileNames: parsed.fileNames };
  }
  return { options: { ...FALLBACK_OPTIONS }, fileNames: listTypeScriptFiles(root) };
}

function checkOnly(options: ts.CompilerOptions): ts.CompilerOptions {
  const o: ts.CompilerOptions = { ...options, noEmit: true };
  delete o.composite;
  delete o.incremental;
  delete o.tsBuildInfoFile;
  delete o.declaration;
  delete o.emitDeclarationOnly;
  return o;
}

/** Every .ts/.tsx file under `root` (absolute paths), skipping dependencies and build output. */
export function listTypeScriptFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) walk(join(dir, e.name));
      } else if (/\.(ts|tsx|mts|cts)$/.test(e.name)) out.push(join(dir, e.name));
    }
  };
  walk(root);
  return out.sort();
}

/** Repository-relative POSIX path of an absolute path under `root`. */
export function relativePosix(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

const shared = new WeakMap<TypeScriptModule, Map<string, { text: string; file: ts.SourceFile }>>();

function sharedFiles(compiler: TypeScriptModule): Map<string, { text: string; file: ts.SourceFile }> {
  let files = shared.get(compiler);
  if (!files) {
    files = new Map();
    shared.set(compiler, files);
  }
  return files;
}

/**
 * Parsed source files kept across programs: a file whose text did not change is handed back as the
 * same object, which is what lets TypeScript (and the builder program) reuse work between checks.
 */
export class SourceFileCache {
  private readonly files = new Map<string, { text: string; file: ts.SourceFile }>();

  /** Files parsed by one compiler only: another version's syntax trees must never mix in. */
  constructor(readonly compiler: TypeScriptModule = ts) {}

  get(fileName: string, text: string, languageVersion: ts.ScriptTarget | ts.CreateSourceFileOptions) {
    // Installed files (the compiler's lib files, dependencies' declarations) are the same for every
    // tree of a process: parsed once per compiler, not once per validation.
    const installed = /[\\/]node_modules[\\/]/.test(fileName);
    const files = installed ? sharedFiles(this.compiler) : this.files;
    const key = installed ? `${fileName}\0${JSON.stringify(languageVersion)}` : fileName;
    const hit = files.get(key);
    if (hit && hit.text === text) return hit.file;
    const file = this.compiler.createSourceFile(fileName, text, languageVersion, true);
    // Builder programs require a version on every source file.
    (file as ts.SourceFile & { version: string }).version = createHash('sha1').update(text).digest('hex');
    files.set(key, { text, file });
    return file;
  }
}

/** A compiler host that reads through `cache` and serves `virtualFiles` (absolute path → text). */
export function cachingHost(
  options: ts.CompilerOptions,
  cache: SourceFileCache,
  virtualFiles: ReadonlyMap<string, string> = new Map(),
): ts.CompilerHost {
  const host = cache.compiler.createCompilerHost(options, true);
  const read = (fileName: string): string | undefined => {
    const v = virtualFiles.get(fileName);
    if (v !== undefined) return v;
    try {
      return readFileSync(fileName, 'utf8');
    } catch {
      return undefined;
    }
  };
  host.readFile = read;
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => virtualFiles.has(f) || fileExists(f);
  host.getSourceFile = (fileName, languageVersion) => {
    const text = read(fileName);
    return text === undefined ? undefined : cache.get(fileName, text, languageVersion);
  };
  return host;
}

/** 1-based line and column of a position in a source file. */
export function lineColumn(file: ts.SourceFile, pos: number): { line: number; column: number } {
  const lc = file.getLineAndCharacterOfPosition(pos);
  return { line: lc.line + 1, column: lc.character + 1 };
}
