import type { Decision } from '../domain/plan.js';

/** What a request says about the architecture, read deterministically before any model runs. */
export interface RequestConstraints {
  decisions: Decision[];
  constraints: string[];
  excludedDependencies: string[];
}

/** Technologies whose mention in a request is an architecture decision, with their usual role. */
const TECHNOLOGIES: ReadonlyArray<[RegExp, string, string]> = [
  [/\bpostgres(?:ql)?\b/i, 'PostgreSQL', 'persistence'],
  [/\bmysql\b/i, 'MySQL', 'persistence'],
  [/\bsqlite\b/i, 'SQLite', 'persistence'],
  [/\bmongo(?:db)?\b/i, 'MongoDB', 'persistence'],
  [/\bredis\b/i, 'Redis', 'pub/sub and caching'],
  [/\bkafka\b/i, 'Kafka', 'event streaming'],
  [/\bwebsockets?\b/i, 'WebSocket', 'real-time transport'],
  [/\bgraphql\b/i, 'GraphQL', 'API'],
  [/\breact\b/i, 'React', 'user interface'],
  [/\bvue\b/i, 'Vue', 'user interface'],
  [/\bexpress\b/i, 'Express', 'HTTP server'],
  [/\bfastify\b/i, 'Fastify', 'HTTP server'],
  [/\boauth\s*2?\b/i, 'OAuth', 'authentication'],
  [/\bjwt\b/i, 'JWT', 'authentication'],
];

/** "no socket.io", "without lodash", "avoid moment", "don't use axios", "not express". */
const EXCLUSION =
  /\b(?:no|without|avoid(?:ing)?|exclude|excluding|(?:do not|don't|never) use|not)\s+(@?[a-z0-9][\w.-]*(?:\/[\w.-]+)?)/gi;
/** Quantified requirements: "sub-100ms latency", "under 200 ms", "at least 99.9% uptime". */
const QUANTIFIED =
  /\b(?:sub-?\s*\d+(?:\.\d+)?\s*(?:ms|s|kb|mb|%)\b(?:\s+[a-z][a-z0-9]*)?|(?:under|below|within|less than|at most|at least)\s+\d+(?:\.\d+)?\s*(?:ms|s|seconds|kb|mb|%)(?:\s+[a-z][a-z0-9]*)?)/gi;
/** Words after "no" that are not packages. */
const NOT_PACKAGES = new Set([
  'more',
  'longer',
  'one',
  'need',
  'way',
  'changes',
  'change',
  'new',
  'breaking',
  'other',
  'external',
  'the',
  'a',
  'an',
  'only',
]);

/** Extract decisions, constraints and excluded dependencies from a request's text. */
export function constraintsFromRequest(request: string): RequestConstraints {
  const excluded = new Set<string>();
  for (const m of request.matchAll(EXCLUSION)) {
    const name = (m[1] ?? '').toLowerCase().replace(/[.,;:]+$/, '');
    if (name && !NOT_PACKAGES.has(name)) excluded.add(name);
  }
  const constraints = [...new Set([...request.matchAll(QUANTIFIED)].map((m) => m[0].trim()))].map(
    (c) => c.charAt(0).toUpperCase() + c.slice(1),
  );
  const decisions: Decision[] = [];
  for (const [re, name, role] of TECHNOLOGIES) {
    const m = re.exec(request);
    if (!m) continue;
    // A technology named only to exclude it is not a decision to use it.
    if ([...excluded].some((x) => name.toLowerCase().startsWith(x) || x.startsWith(m[0].toLowerCase())))
      continue;
    decisions.push({
      id: `req-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
      decision: `${name} for ${role}`,
      rationale: 'named in the request',
    });
  }
  return { decisions, constraints, excludedDependencies: [...excluded].sort() };
}

/** Merge several sources of constraints; the first source wins on a decision id. */
export function mergeConstraints(...sources: RequestConstraints[]): RequestConstraints {
  const decisions = new Map<string, Decision>();
  const constraints = new Set<string>();
  const excluded = new Set<string>();
  for (const s of sources) {
    for (const d of s.decisions) if (!decisions.has(d.id)) decisions.set(d.id, d);
    for (const c of s.constraints) constraints.add(c);
    for (const x of s.excludedDependencies) excluded.add(x);
  }
  return {
    decisions: [...decisions.values()],
    constraints: [...constraints],
    excludedDependencies: [...excluded].sort(),
  };
}
