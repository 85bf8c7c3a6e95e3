import { posix } from 'node:path';
import picomatch from 'picomatch';
import { parseJson } from '../domain/index.js';
import { git } from '../git/index.js';
import type { Finding } from './types.js';

const SECTIONS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

/** A package a branch adds to a package.json. */
export interface AddedDependency {
  file: string;
  section: (typeof SECTIONS)[number];
  name: string;
  version: string;
}

/** Packages added to any package.json between the merge base of `base` and `ref`, and `ref`. */
export async function addedDependencies(repo: string, base: string, ref: string): Promise<AddedDependency[]> {
  const diff = await git(['diff', '--name-only', '--no-renames', `${base}...${ref}`], { cwd: repo });
  const files = diff.stdout
    .split('\n')
    .filter((f) => posix.basename(f) === 'package.json' && !f.split('/').includes('node_modules'));
  const mergeBase = (await git(['merge-base', base, ref], { cwd: repo })).stdout.trim();
  const out: AddedDependency[] = [];
  for (const file of files) {
    const before = await manifest(repo, mergeBase, file);
    const after = await manifest(repo, ref, file);
    for (const section of SECTIONS) {
      for (const [name, version] of Object.entries(after[section] ?? {})) {
        const had = SECTIONS.some((s) => before[s]?.[name] !== undefined);
        if (!had) out.push({ file, section, name, version });
      }
    }
  }
  return out;
}

type Manifest = Partial<Record<(typeof SECTIONS)[number], Record<string, string>>>;

async function manifest(repo: string, rev: string, file: string): Promise<Manifest> {
  const r = await git(['show', `${rev}:${file}`], { cwd: repo, allowFailure: true });
  if (r.code !== 0) return {};
  const json = parseJson(r.stdout);
  if (!json.success || typeof json.value !== 'object' || json.value === null) return {};
  const value = json.value as Record<string, unknown>;
  const out: Manifest = {};
  for (const s of SECTIONS) {
    const section = value[s];
    if (typeof section !== 'object' || section === null) continue;
    out[s] = Object.fromEntries(Object.entries(section).map(([k, v]) => [k, String(v)]));
  }
  return out;
}

/** True when a package name is excluded: an exact name, or a glob such as `moment*` or `@types/*`. */
export function isExcluded(name: string, excluded: readonly string[]): boolean {
  return excluded.some((e) => e === name || picomatch(e)(name));
}

/** A violation for each excluded package the task's branch adds. */
export function dependencyFindings(
  task: { id: string; agent: string },
  added: readonly AddedDependency[],
  excluded: readonly string[],
): Finding[] {
  return added
    .filter((d) => isExcluded(d.name, excluded))
    .map((d) => ({
      id: `dependency:${task.id}:${d.file}:${d.name}`,
      kind: 'dependency' as const,
      severity: 'error' as const,
      taskId: task.id,
      agent: task.agent,
      title: `Excluded dependency added: ${d.name}`,
      details: [`${d.file} adds ${d.name}@${d.version} to ${d.section}; the plan's architecture excludes it`],
      expected: `no ${d.name}`,
      actual: `${d.name}@${d.version} in ${d.file}`,
      fix: `remove ${d.name} from ${d.file} and use what the architecture decisions allow`,
    }));
}
