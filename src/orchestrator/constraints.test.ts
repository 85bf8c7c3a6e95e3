import { describe, expect, it } from 'vitest';
import { constraintsFromRequest, mergeConstraints } from './constraints.js';

describe('constraintsFromRequest', () => {
  it("reads the article's request: PostgreSQL + Redis, no socket.io, sub-100ms latency", () => {
    const c = constraintsFromRequest(
      'Build real-time collaborative editing with WebSockets. PostgreSQL + Redis, no socket.io, sub-100ms latency.',
    );
    expect(c.excludedDependencies).toEqual(['socket.io']);
    expect(c.constraints).toEqual(['Sub-100ms latency']);
    expect(c.decisions.map((d) => d.decision)).toEqual([
      'PostgreSQL for persistence',
      'Redis for pub/sub and caching',
      'WebSocket for real-time transport',
    ]);
  });

  it('does not turn an excluded technology into a decision, nor ordinary words into exclusions', () => {
    const c = constraintsFromRequest(
      "Add a REST API without express; don't use axios. No breaking changes, under 200 ms p99.",
    );
    expect(c.excludedDependencies).toEqual(['axios', 'express']);
    expect(c.decisions).toEqual([]);
    expect(c.constraints).toEqual(['Under 200 ms p99']);
  });

  it('merges sources without duplicates', () => {
    const a = constraintsFromRequest('PostgreSQL, no lodash');
    const b = {
      decisions: [],
      constraints: ['Sub-100ms latency'],
      excludedDependencies: ['lodash', 'moment'],
    };
    const m = mergeConstraints(a, b);
    expect(m.excludedDependencies).toEqual(['lodash', 'moment']);
    expect(m.decisions).toHaveLength(1);
    expect(m.constraints).toEqual(['Sub-100ms latency']);
  });
});

describe('excluded dependencies come only from wording that names a package', () => {
  // Phrases from a live run that once became "excluded dependencies" (issue 12).
  const request = [
    'Add a rule for when the config is not given, with no or only one entry.',
    'The parser does not support nested lists; warnings must not be reported twice.',
    'Severity maps to `error` and not to `recommended`. Not logged in · Please run /login.',
    'Keep it working without breaking changes, no more than one pass, not the old format.',
  ].join(' ');

  it('stores nothing for ordinary words', () => {
    expect(constraintsFromRequest(request).excludedDependencies).toEqual([]);
  });

  it('stores exactly the named package', () => {
    expect(constraintsFromRequest('use ws, without socket.io').excludedDependencies).toEqual(['socket.io']);
    expect(constraintsFromRequest('Please do not add lodash.').excludedDependencies).toEqual(['lodash']);
    expect(
      constraintsFromRequest(
        'Never install `left-pad`; avoid moment.js; no @acme/telemetry; no leftpad package',
      ).excludedDependencies,
    ).toEqual(['@acme/telemetry', 'left-pad', 'leftpad', 'moment.js']);
    expect(constraintsFromRequest("don't add any dependencies").excludedDependencies).toEqual([]);
  });
});
