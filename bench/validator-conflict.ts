import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { planSchema } from '../src/domain/plan.js';
import { validateBranches } from '../src/validator/index.js';

/** How soon a conflicting pair is reported, against the whole validation of the same branches. */
export interface ConflictFirstBench {
  files: number;
  /** From the start of the validation to the conflict's progress line. */
  conflictFirstMs: number;
  /** The whole validation: base check, merge train, type check, criteria, contracts. */
  fullMs: number;
  /** Whether a type check had started when the conflict was reported (it must not have). */
  typeCheckBeforeConflict: boolean;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', ...args], {
    cwd,
    stdio: 'pipe',
  });

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/**
 * A generated project of `files` modules and two task branches that both change one shared file:
 * validate them and time when the conflict is reported against when the validation ends.
 */
export async function benchConflictFirst(
  settings: { files?: number; now?: () => number } = {},
): Promise<ConflictFirstBench> {
  const files = settings.files ?? 300;
  const now = settings.now ?? (() => performance.now());
  const root = mkdtempSync(join(tmpdir(), 'orchestra-bench-conflict-'));
  try {
    const project: Record<string, string> = {
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022' } }),
      'src/shared.ts': 'export const mode = "base";\n',
    };
    for (let i = 0; i < files; i++)
      project[`src/m${i}.ts`] =
        `${i > 0 ? `import { f${i - 1} } from './m${i - 1}';\n` : ''}export function f${i}(x: number): number { return ${i > 0 ? `f${i - 1}(x) + 1` : 'x'}; }\n`;
    write(root, project);
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'base');
    for (const id of ['a', 'b']) {
      git(root, 'checkout', '-q', '-b', `task/${id}`, 'main');
      write(root, {
        'src/shared.ts': `export const mode = "${id}";\n`,
        [`src/${id}/${id}.ts`]: `export const ${id} = 1;\n`,
      });
      git(root, 'add', '-A');
      git(root, 'commit', '-q', '-m', id);
    }
    git(root, 'checkout', '-q', 'main');
    const plan = planSchema.parse({
      version: 1,
      goal: 'bench',
      tasks: ['a', 'b'].map((id) => ({
        id,
        title: id,
        agent: 'x',
        owns: [`src/${id}/**`],
        successCriteria: [{ description: 'exists', command: `test -f src/${id}/${id}.ts` }],
      })),
    });
    const started = now();
    let conflictAt: number | undefined;
    let typeCheckStarted = false;
    let typeCheckBeforeConflict = false;
    await validateBranches({
      cwd: root,
      plan,
      noMerge: true,
      branches: ['a', 'b'].map((id) => ({ taskId: id, ref: `task/${id}` })),
      onProgress: (line) => {
        if (/checking the base|type-checking/.test(line)) typeCheckStarted = true;
        if (conflictAt === undefined && line.startsWith('conflict:')) {
          conflictAt = now();
          typeCheckBeforeConflict = typeCheckStarted;
        }
      },
    });
    const fullMs = now() - started;
    if (conflictAt === undefined) throw new Error('the generated pair did not conflict');
    return {
      files,
      conflictFirstMs: conflictAt - started,
      fullMs,
      typeCheckBeforeConflict,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
