import { git } from '../git/index.js';

/** One path a branch changed against its base, from `git diff --name-status`. */
export interface ChangedFile {
  /** A added, M modified, D deleted, R renamed, T type changed (e.g. file ↔ symlink). */
  status: string;
  /** Repository-relative POSIX path (the new path of a rename). */
  path: string;
  /** The old path of a rename or copy. */
  from?: string;
}

/** Parse the NUL-separated output of `git diff --name-status -z`. */
export function parseNameStatus(output: string): ChangedFile[] {
  const parts = output.split('\0');
  const out: ChangedFile[] = [];
  for (let i = 0; i < parts.length; ) {
    const field = parts[i++];
    if (!field) continue;
    const status = field.charAt(0);
    if (status === 'R' || status === 'C') {
      const from = parts[i++];
      const path = parts[i++];
      if (from !== undefined && path !== undefined) out.push({ status, path, from });
    } else {
      const path = parts[i++];
      if (path !== undefined) out.push({ status, path });
    }
  }
  return out;
}

/**
 * The files `ref` changed since it left `base` (`base...ref`: against their merge base, so commits
 * that reached the base later do not count), renames detected.
 */
export async function changedFiles(settings: {
  cwd: string;
  base: string;
  ref: string;
  env?: NodeJS.ProcessEnv;
}): Promise<ChangedFile[]> {
  const r = await git(
    [
      '-c',
      'core.quotePath=false',
      'diff',
      '--name-status',
      '-z',
      '-M',
      '--no-ext-diff',
      `${settings.base}...${settings.ref}`,
      '--',
    ],
    { cwd: settings.cwd, ...(settings.env ? { env: settings.env } : {}) },
  );
  return parseNameStatus(r.stdout);
}
