import { afterEach, describe, expect, it } from 'vitest';
import { createClaudeCodeExecutor } from '../../src/executor/index.js';
import { describeExecutorConformance, startModelServer } from '../../src/testing/index.js';
import { claudeTestEnv, tempDir } from '../support/model-server.js';

// The Executor v1 conformance suite against the real Claude Code binary and the scripted server.
describeExecutorConformance({
  name: 'claude-code',
  test: { describe, it, expect, afterEach },
  harness: {
    create: async (scenario, { timers, hungAfterMs }) => {
      const server = await startModelServer(scenario);
      const home = tempDir('orchestra-conf-home-');
      const executor = createClaudeCodeExecutor({
        env: claudeTestEnv(server.url, home.path),
        model: 'claude-sonnet-4-5',
        timers,
        hungAfterMs,
      });
      return {
        executor,
        hanging: async () => {
          await server.waitFor((r) => r.served?.label === 'hang');
        },
        close: async () => {
          await server.close({ verify: false });
          home.remove();
        },
      };
    },
  },
});
