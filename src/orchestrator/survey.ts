import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import { git } from '../git/index.js';

/** One package manifest found in the repository. */
export interface ManifestSummary {
  path: string;
  name?: string;
  dependencies: string[];
  devDependencies: string[];
  scripts: string[];
}

/** The exported symbols of one TypeScript module, as one-line signatures. */
export interface ModuleExports {
  path: string;
  exports: string[];
}

/** What the orchestrator is told about the repository: built by us, not by the model. */
export interface RepositorySurvey {
  files: string[];
  /** Files not listed because of the cap. */
  filesOmitted: number;
  manifests: ManifestSummary[];
  modules: ModuleExports[];
  agents: Array<{ name: string; description: string }>;
  decisions: Array<{ id: string; decision: string; rationale?: string | undefined }>;
}

/** Inputs of a survey; agents and decisions come from their own modules. */
export interface SurveyOptions {
  root: string;
  agents?: Array<{ name: string; description: string }>;
  decisions?: RepositorySurvey['decisions'];
  maxFiles?: number;
  maxModules?: number;
}

const TS_FILE = /\.(ts|tsx|mts|cts)$/;
const SKIP_DIRS = /(^|\/)(node_modules|\.git|dist|build|\.orchestra)\//;
/** Orchestra's own files: the orchestrator plans the user's project, not the tool conducting it. */
const ORCHESTRA_FILES = /^(\.claude\/agents\/|orchestra\.config\.json$|\.orchestra(\/|$))/;

/** Survey a repository: its file tree (what git ignores left out), manifests and exported symbols. */
export async function surveyRepository(options: SurveyOptions): Promise<RepositorySurvey> {
  const maxFiles = options.maxFiles ?? 400;
  const all = (await listFiles(options.root))
    .filter((f) => !SKIP_DIRS.test(f) && !ORCHESTRA_FILES.test(f))
    .sort();
  const manifests: ManifestSummary[] = [];
  for (const f of all.filter((p) => p === 'package.json' || p.endsWith('/package.json'))) {
    const m = await readManifest(options.root, f);
    if (m) manifests.push(m);
  }
  const modules: ModuleExports[] = [];
  for (const f of all.filter((p) => TS_FILE.test(p) && !p.endsWith('.d.ts') && !/\.test\.tsx?$/.test(p))) {
    if (modules.length >= (options.maxModules ?? 200)) break;
    const text = await readFile(join(options.root, f), 'utf8').catch(() => null);
    if (text === null) continue;
    const exports = exportedSignatures(f, text);
    if (exports.length > 0) modules.push({ path: f, exports });
  }
  return {
    files: all.slice(0, maxFiles),
    filesOmitted: Math.max(0, all.length - maxFiles),
    manifests,
    modules,
    agents: options.agents ?? [],
    decisions: options.decisions ?? [],
  };
}

async function listFiles(root: string): Promise<string[]> {
  const r = await git(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    allowFailure: true,
  });
  if (r.code !== 0) return [];
  return [...new Set(r.stdout.split('\0').filter(Boolean))];
}

async function readManifest(root: string, path: string): Promise<ManifestSummary | null> {
  try {
    const raw = JSON.parse(await readFile(join(root, path), 'utf8')) as Record<string, unknown>;
    const keys = (v: unknown) => (v && typeof v === 'object' ? Object.keys(v as object).sort() : []);
    const m: ManifestSummary = {
      path,
      dependencies: keys(raw.dependencies),
      devDependencies: keys(raw.devDependencies),
      scripts: keys(raw.scripts),
    };
    if (typeof raw.name === 'string') m.name = raw.name;
    return m;
  } catch {
    return null; // a broken manifest is the model's to notice in the tree, not ours to crash on
  }
}

/** One-line signatures of a module's exported declarations, bodies left out. */
export function exportedSignatures(fileName: string, text: string): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const isExported = (n: ts.Node) =>
    ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st)) {
      out.push(oneLine(st.getText(sf)));
      continue;
    }
    if (!isExported(st)) continue;
    if (ts.isFunctionDeclaration(st)) {
      const head = st.body ? text.slice(st.getStart(sf), st.body.getStart(sf)) : st.getText(sf);
      out.push(oneLine(head).replace(/;$/, ''));
    } else if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isEnumDeclaration(st)) {
      out.push(oneLine(st.getText(sf)));
    } else if (ts.isClassDeclaration(st)) {
      const members = st.members
        .filter(
          (m) =>
            !(ts.canHaveModifiers(m) ? (ts.getModifiers(m) ?? []) : []).some(
              (x) => x.kind === ts.SyntaxKind.PrivateKeyword,
            ),
        )
        .map((m) => (m.name ? m.name.getText(sf) : ''))
        .filter(Boolean);
      out.push(`class ${st.name?.text ?? 'default'} { ${members.join('; ')} }`);
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const type = d.type ? `: ${oneLine(d.type.getText(sf))}` : '';
        out.push(`const ${d.name.getText(sf)}${type}`);
      }
    }
  }
  return out.map((s) => (s.length > 300 ? `${s.slice(0, 297)}...` : s));
}

/** The survey as compact Markdown for the orchestrator's prompt. */
export function renderSurvey(s: RepositorySurvey): string {
  const lines: string[] = ['# Repository survey', '', `## Files (${s.files.length + s.filesOmitted})`];
  lines.push(...s.files.map((f) => `- ${f}`));
  if (s.filesOmitted > 0) lines.push(`- … ${s.filesOmitted} more files not listed`);
  lines.push('', '## Package manifests');
  if (s.manifests.length === 0) lines.push('(none)');
  for (const m of s.manifests) {
    lines.push(`- ${m.path}${m.name ? ` (${m.name})` : ''}`);
    lines.push(`  - dependencies: ${m.dependencies.join(', ') || '(none)'}`);
    lines.push(`  - devDependencies: ${m.devDependencies.join(', ') || '(none)'}`);
    if (m.scripts.length > 0) lines.push(`  - scripts: ${m.scripts.join(', ')}`);
  }
  lines.push('', '## Exported TypeScript symbols');
  if (s.modules.length === 0) lines.push('(none)');
  for (const m of s.modules) {
    lines.push(`- ${m.path}`);
    lines.push(...m.exports.map((e) => `  - \`${e}\``));
  }
  lines.push('', '## Available agents');
  lines.push(...(s.agents.length ? s.agents.map((a) => `- ${a.name}: ${a.description}`) : ['(none)']));
  lines.push('', '## Architecture decisions already made');
  lines.push(
    ...(s.decisions.length
      ? s.decisions.map((d) => `- [${d.id}] ${d.decision}${d.rationale ? ` — ${d.rationale}` : ''}`)
      : ['(none)']),
  );
  return `${lines.join('\n')}\n`;
}
