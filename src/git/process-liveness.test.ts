import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { git } from './git.js';
import { isProcessAlive, processStamp } from './process-liveness.js';

describe('isProcessAlive', () => {
  it('tells a running process from a gone one and from a reused pid', () => {
    const self = processStamp();
    expect(isProcessAlive(self)).toBe(true);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    expect(isProcessAlive({ ...self, pid: gone })).toBe(false);
    if (self.start !== undefined) expect(isProcessAlive({ ...self, start: `${self.start}1` })).toBe(false);
  });

  it('counts a process on another host as alive: it cannot be checked from here', () => {
    expect(isProcessAlive({ pid: 999_999_999, host: 'elsewhere' })).toBe(true);
  });
});

describe('git runner', () => {
  it('reports a missing directory as a user error, not a git failure', async () => {
    await expect(git(['status'], { cwd: '/no/such/dir' })).rejects.toMatchObject({
      code: 'no-such-directory',
      userError: true,
    });
  });
});
