import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** Package managers' caches that exist in the user's home: writable inside, and how tools find them. */
export interface PackageCaches {
  dirs: string[];
  env: Record<string, string>;
}

const KNOWN: ReadonlyArray<{ rel: string; env?: string }> = [
  { rel: '.npm', env: 'npm_config_cache' },
  { rel: '.cache/yarn', env: 'YARN_CACHE_FOLDER' },
  { rel: '.cache/pip', env: 'PIP_CACHE_DIR' },
  { rel: '.cache/uv', env: 'UV_CACHE_DIR' },
  { rel: '.local/share/pnpm/store', env: 'PNPM_STORE_DIR' },
  { rel: '.cargo/registry' },
  { rel: 'go/pkg/mod', env: 'GOMODCACHE' },
];

/**
 * The package caches under `home` that exist. Processes get a private HOME, so each cache is named
 * by its variable; the caches themselves are shared on purpose (installs stay fast and offline).
 */
export function packageCaches(home: string = homedir()): PackageCaches {
  const dirs: string[] = [];
  const env: Record<string, string> = {};
  for (const k of KNOWN) {
    const p = path.join(home, k.rel);
    if (!existsSync(p)) continue;
    const real = realpathSync(p);
    dirs.push(real);
    if (k.env) env[k.env] = real;
  }
  return { dirs, env };
}
