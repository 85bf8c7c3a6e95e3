import { afterEach, describe, expect, it } from 'vitest';
import { commitOnBranch, initRepo, tempDir } from '../../test/validator/fixture.js';
import { addedDependencies, dependencyFindings, isExcluded } from './dependency-drift.js';

const dirs: Array<() => void> = [];
afterEach(() => {
  for (const c of dirs.splice(0)) c();
});

describe('dependency drift', () => {
  it('reports an excluded package a task adds, and not the allowed ones', async () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    const pkg = (deps: Record<string, string>, dev: Record<string, string> = {}) =>
      JSON.stringify({ name: 'x', dependencies: deps, devDependencies: dev });
    initRepo(dir, { 'package.json': pkg({ ws: '^8' }), 'web/package.json': pkg({}) });
    commitOnBranch(dir, 'task/api', 'main', {
      'package.json': pkg({ ws: '^8', moment: '^2.30.0' }, { ws: '^8' }),
      'web/package.json': pkg({ 'socket.io': '4' }),
    });
    const added = await addedDependencies(dir, 'main', 'task/api');
    expect(added.map((a) => `${a.file}:${a.name}`).sort()).toEqual([
      'package.json:moment',
      'web/package.json:socket.io',
    ]);
    const findings = dependencyFindings({ id: 'api', agent: 'backend' }, added, ['moment', 'socket.*']);
    expect(findings.map((f) => [f.taskId, f.title])).toEqual([
      ['api', 'Excluded dependency added: moment'],
      ['api', 'Excluded dependency added: socket.io'],
    ]);
    expect(dependencyFindings({ id: 'api', agent: 'b' }, added, ['lodash'])).toEqual([]);
  });

  it('matches exact names and globs', () => {
    expect(isExcluded('@types/node', ['@types/*'])).toBe(true);
    expect(isExcluded('moment-timezone', ['moment'])).toBe(false);
  });
});
