import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AgentDefinition } from '../../src/domain/agent.js';

/** A specialist definition for tests. */
export function testAgent(
  name = 'backend-specialist',
  overrides: Partial<AgentDefinition> = {},
): AgentDefinition {
  return {
    name,
    description: `${name} for tests`,
    tools: ['Read', 'Write', 'Edit', 'Bash'],
    prompt: `You are ${name}. Implement your task inside your ownership.`,
    source: { scope: 'builtin', path: `<test>/${name}.md` },
    ...overrides,
  };
}

/** A git repository with one commit, independent of the global git identity. */
export function gitRepo(dir: string, files: Record<string, string> = { 'README.md': '# test\n' }): string {
  mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
      cwd: dir,
      stdio: 'pipe',
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  return dir;
}
