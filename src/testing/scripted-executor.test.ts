import { describeExecutorConformance } from '../executor/conformance.js';
import { createScriptedExecutor } from './scripted-executor.js';

describeExecutorConformance('scripted', {
  create: async (scenario, { timers, hungAfterMs }) => {
    const executor = createScriptedExecutor({ scenario, timers, hungAfterMs });
    return { executor, hanging: () => executor.hanging(), close: async () => {} };
  },
});
