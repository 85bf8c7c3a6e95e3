import type { Decision } from '../domain/index.js';

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

/**
 * An explicit refusal of a package: a verb that can only mean adding or using one ("do not add
 * lodash", "don't use axios", "never install moment", "must not depend on express"), with the name
 * after it.
 */
const STRONG_EXCLUSION =
  /\b(?:do not|don't|dont|never|must not|mustn't|should not|shouldn't|avoid)\s+(?:add(?:ing)?|us(?:e|ing)|install(?:ing)?|import(?:ing)?|introduc(?:e|ing)|depend(?:ing)? on|pull(?:ing)? in|bring(?:ing)? in)\s+(?:the\s+)?(`?)(@?[a-z0-9][\w.-]*(?:\/[\w.-]+)?)\1/gi;
/** A weaker wording ("no socket.io", "without express", "avoid moment.js") names a package only when the name looks like one. */
const WEAK_EXCLUSION =
  /\b(?:no|without|avoid(?:ing)?|exclud(?:e|ing)|not)\s+(?:the\s+)?(@?[a-z0-9][\w.-]*(?:\/[\w.-]+)?)(\s+(?:package|library|dependency|module)\b)?/gi;
/** Well-known npm packages a request may refuse by their bare name ("without express"). */
const KNOWN_PACKAGES = new Set([
  'axios',
  'express',
  'fastify',
  'koa',
  'lodash',
  'underscore',
  'moment',
  'jquery',
  'ws',
  'socket.io',
  'rxjs',
  'redux',
  'mobx',
  'webpack',
  'babel',
  'jest',
  'mocha',
  'prisma',
  'sequelize',
  'typeorm',
  'mongoose',
  'knex',
  'react',
  'vue',
  'angular',
  'svelte',
  'next',
  'nestjs',
  'zod',
  'yup',
  'joi',
  'ramda',
  'bluebird',
  'request',
  'chalk',
  'commander',
  'yargs',
  'dotenv',
  'uuid',
  'graphql',
  'redis',
  'ioredis',
  'pg',
  'mysql',
  'mysql2',
  'sqlite3',
  'better-sqlite3',
  'kafkajs',
  'electron',
  'tailwindcss',
  'bootstrap',
]);
/** Words a strong wording may still be followed by without naming a package ("do not add any …"). */
const NOT_PACKAGES = new Set([
  'a',
  'an',
  'any',
  'more',
  'new',
  'extra',
  'additional',
  'further',
  'other',
  'external',
  'third-party',
  'it',
  'them',
  'this',
  'that',
  'these',
  'those',
  'one',
  'dependencies',
  'dependency',
  'packages',
  'package',
  'libraries',
  'library',
  'modules',
  'code',
  'tests',
  'anything',
  'something',
  'globals',
  'global',
]);

/** Whether a bare name looks like an npm package (a scope, a path or a dot: `socket.io`, `@x/y`). */
const PACKAGE_SHAPED =
  /^@[\w.-]+\/[\w.-]+$|^[a-z0-9][\w-]*(?:\.[a-z0-9][\w-]*)+$|^[a-z0-9][\w.-]*\/[\w.-]+$/i;

/** Quantified requirements: "sub-100ms latency", "under 200 ms", "at least 99.9% uptime". */
const QUANTIFIED =
  /\b(?:sub-?\s*\d+(?:\.\d+)?\s*(?:ms|s|kb|mb|%)\b(?:\s+[a-z][a-z0-9]*)?|(?:under|below|within|less than|at most|at least)\s+\d+(?:\.\d+)?\s*(?:ms|s|seconds|kb|mb|%)(?:\s+[a-z][a-z0-9]*)?)/gi;
/**
 * Extract decisions, constraints and excluded dependencies from a request's text. A dependency is
 * excluded only by explicit wording that names a package; ordinary words never are.
 */
export function constraintsFromRequest(request: string): RequestConstraints {
  const excluded = new Set<string>();
  const clean = (raw: string | undefined) => (raw ?? '').toLowerCase().replace(/[.,;:!?)]+$/, '');
  for (const m of request.matchAll(STRONG_EXCLUSION)) {
    const name = clean(m[2]);
    if (name && !NOT_PACKAGES.has(name)) excluded.add(name);
  }
  // When in doubt, nothing is excluded: "not given", "no or", "must not be" name no package.
  for (const m of request.matchAll(WEAK_EXCLUSION)) {
    const name = clean(m[1]);
    if (!name || NOT_PACKAGES.has(name)) continue;
    if (PACKAGE_SHAPED.test(name) || KNOWN_PACKAGES.has(name) || m[2] !== undefined) excluded.add(name);
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
