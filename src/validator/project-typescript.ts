import { createRequire } from 'node:module';
import { join } from 'node:path';
import bundled from 'typescript';

/** The TypeScript compiler module (the project's own, or the one Orchestra bundles). */
export type TypeScriptModule = typeof bundled;

/** Which compiler checks a project, and why. */
export interface ProjectTypeScript {
  ts: TypeScriptModule;
  version: string;
  /** `project`: resolved from the project's node_modules; `bundled`: Orchestra's own copy. */
  source: 'project' | 'bundled';
  /** Why the bundled copy is used, when it is. */
  note?: string;
}

const loaded = new Map<string, ProjectTypeScript>();

/**
 * The project's own TypeScript, resolved from `root` the way its `tsc` would be (its
 * node_modules, then its parents'), so findings match what the project's own type check says.
 * Falls back to the bundled compiler with a note when the project has none or it cannot load.
 * Loaded once per resolved path.
 */
export function loadProjectTypeScript(root: string): ProjectTypeScript {
  let path: string;
  try {
    path = createRequire(join(root, 'package.json')).resolve('typescript');
  } catch {
    return bundledWith(
      `the project has no typescript in node_modules; checked with the bundled ${bundled.version}`,
    );
  }
  const hit = loaded.get(path);
  if (hit) return hit;
  let out: ProjectTypeScript;
  try {
    const ts = createRequire(join(root, 'package.json'))(path) as TypeScriptModule;
    if (
      typeof ts.createEmitAndSemanticDiagnosticsBuilderProgram !== 'function' ||
      typeof ts.version !== 'string'
    )
      throw new Error('it does not expose the compiler API');
    out = { ts, version: ts.version, source: 'project' };
  } catch (e) {
    out = bundledWith(
      `the project's typescript (${path}) could not be loaded (${(e as Error).message}); checked with the bundled ${bundled.version}`,
    );
  }
  loaded.set(path, out);
  return out;
}

function bundledWith(note: string): ProjectTypeScript {
  return { ts: bundled, version: bundled.version, source: 'bundled', note };
}
