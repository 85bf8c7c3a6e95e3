import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRegistry } from '../../src/executor/worktree-registry.js';
import { openRunWorktrees } from '../../src/executor/worktrees.js';
import {
  exited,
  GIT_ENV,
  gitIn,
  makeRepo,
  snapshot,
  sourceUrl,
  spawnScript,
  waitForLine,
  write,
} from './worktree-fixtures.js';

let ctx: ReturnType<typeof makeRepo>;
beforeEach(() => {
  ctx = makeRepo();
});
afterEach(() => ctx.cleanup());

describe('git writes serialized per repository', () => {
  it('8 concurrent worktree creations and commits in one process all succeed', async () => {
    const before = snapshot(ctx.repo);
    const run = await openRunWorktrees({ cwd: ctx.repo, runId: 'many', env: GIT_ENV });
    const ids = Array.from({ length: 8 }, (_, i) => `t${i}`);
    const results = await Promise.all(
      ids.map(async (id) => {
        const t = await run.create(id);
        write(join(t.path, `out/${id}.txt`), id);
        return run.commit(id, { title: id, agent: 'a' });
      }),
    );
    for (const [i, id] of ids.entries()) {
      expect(results[i]?.files).toEqual([{ status: 'A', path: `out/${id}.txt` }]);
      expect(gitIn(ctx.repo, 'diff', '--name-only', run.base, `orchestra/many/${id}`)).toBe(`out/${id}.txt`);
    }
    expect((await readRegistry(join(ctx.repo, '.git'))).worktrees).toHaveLength(8);
    expect(snapshot(ctx.repo)).toEqual(before);
  });

  it('4 processes creating and committing worktrees at once all succeed and lose no registry entry', async () => {
    const children = Array.from({ length: 4 }, (_, p) =>
      spawnScript(
        ctx.tmp,
        `child${p}`,
        `import { mkdirSync, writeFileSync } from 'node:fs';
         import { join } from 'node:path';
         const { openRunWorktrees } = await import(${JSON.stringify(sourceUrl('src/executor/worktrees.ts'))});
         const [repo, runId] = process.argv.slice(2);
         process.stdout.write('ready\\n');
         await new Promise((r) => process.stdin.once('data', r));
         process.stdin.destroy();
         const run = await openRunWorktrees({ cwd: repo, runId });
         await Promise.all(['a', 'b'].map(async (id) => {
           const t = await run.create(id);
           mkdirSync(join(t.path, 'out'), { recursive: true });
           writeFileSync(join(t.path, 'out', runId + '-' + id + '.txt'), id);
           await run.commit(id, { title: id, agent: 'x' });
         }));
         await run.finish();`,
        [ctx.repo, `p${p}`],
      ),
    );
    await Promise.all(children.map((c) => waitForLine(c, 'ready')));
    const done = children.map(exited);
    for (const c of children) c.stdin.write('go\n');
    for (const r of await Promise.all(done)) expect(r, r.stderr).toMatchObject({ code: 0, stderr: '' });
    const base = gitIn(ctx.repo, 'rev-parse', 'HEAD');
    for (let p = 0; p < 4; p++)
      for (const id of ['a', 'b'])
        expect(gitIn(ctx.repo, 'diff', '--name-only', base, `orchestra/p${p}/${id}`)).toBe(
          `out/p${p}-${id}.txt`,
        );
    const reg = await readRegistry(join(ctx.repo, '.git'));
    expect(Object.keys(reg.runs).sort()).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect(reg.worktrees).toHaveLength(8);
  });
});
