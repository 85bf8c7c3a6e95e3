import picomatch from 'picomatch';

/**
 * Ownership globs: POSIX paths relative to the repository root, picomatch syntax with dotfiles
 * matched. A trailing "/" means the whole directory ("src/api/" = "src/api/**"), and a trailing
 * "/**" means what is inside the directory, never the directory name itself (picomatch is
 * inconsistent there: "src/**" matches "src" but "*\/**" does not).
 */
export function normalizeGlob(glob: string): string {
  let g = glob.trim().replaceAll('\\', '/');
  while (g.startsWith('./')) g = g.slice(2);
  if (g.endsWith('/')) g = `${g}**`;
  if (g.endsWith('/**') || g === '**') g = `${g}/*`;
  return g;
}

const matcherCache = new Map<string, (path: string) => boolean>();

/** True when a repository-relative POSIX path matches the glob. */
export function matchesGlob(path: string, glob: string): boolean {
  const g = normalizeGlob(glob);
  let m = matcherCache.get(g);
  if (!m) {
    // Braces are expanded here, not by picomatch: inside braces picomatch changes what a star
    // after a dot accepts ("{index.*,x}" refuses "index."), and the overlap test must agree.
    const each = expandBraces(g).map((x) => picomatch(x, { dot: true }));
    m = each.length === 1 ? (each[0] as (p: string) => boolean) : (p: string) => each.some((f) => f(p));
    matcherCache.set(g, m);
  }
  return m(path);
}

/**
 * A glob as plain data, for a reader that cannot afford to load picomatch (the collision guard
 * hook): a non-empty path matches when it equals `literal` or matches `new RegExp(source, flags)`,
 * exactly as picomatch tests it. One entry per brace alternative.
 */
export interface CompiledGlob {
  literal: string;
  source: string;
  flags: string;
}

/** The glob compiled as `matchesGlob` matches it: any entry matching means the glob matches. */
export function compileGlob(glob: string): CompiledGlob[] {
  return expandBraces(normalizeGlob(glob)).map((literal) => {
    const re = picomatch.makeRe(literal, { dot: true, windows: process.platform === 'win32' });
    return { literal, source: re.source, flags: re.flags };
  });
}

/** The first glob of `globs` that matches the path, if any. */
export function findMatchingGlob(path: string, globs: readonly string[]): string | undefined {
  return globs.find((g) => matchesGlob(path, g));
}

/**
 * Why a glob is refused as ownership, or undefined when the overlap test decides it exactly.
 * Accepted: literal names, `*`, `?`, `**` as a whole segment, character classes (`[abc]`, `[a-z]`,
 * `[^a]`), `{a,b}` alternatives (nested too), a trailing `/`. Refused: negation (`!src/**`),
 * extglobs (`@(a|b)`, `+(x)`, `!(x)` …), groups and `|`, POSIX classes, brace ranges (`{1..3}`),
 * `**` inside a segment, unbalanced brackets, absolute paths and `..`, and `[!a]` (picomatch, the
 * matcher, reads it literally; `[^a]` is the negated class).
 */
export function globSyntaxProblem(glob: string): string | undefined {
  const g = glob.trim().replaceAll('\\', '/');
  if (g === '') return 'an empty glob matches nothing';
  if (g.startsWith('!')) return 'negation (a leading "!") is not supported: list what the task owns instead';
  if (/[@!+*?]\(/.test(g)) return 'extglobs such as @(a|b), +(x) or !(x) are not supported: use {a,b}';
  if (/[()|]/.test(g)) return 'groups and "|" are not supported: use {a,b}';
  if (g.includes('[!')) return 'write a negated class as [^...]: the matcher reads [!...] literally';
  if (/\[\^?\]/.test(g)) return 'a character class cannot start with "]"';
  if (g.includes('[:')) return 'POSIX character classes such as [[:alpha:]] are not supported: use [a-z]';
  if (g.startsWith('/') || /^[A-Za-z]:/.test(g)) return 'ownership globs are relative to the repository root';
  let square = false;
  let curly = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (square) {
      if (c === ']') square = false;
      else if (c === '/') return 'a character class cannot contain "/"';
      continue;
    }
    if (c === '[') square = true;
    else if (c === ']') return 'an unmatched "]"';
    else if (c === '{') curly++;
    else if (c === '}' && --curly < 0) return 'an unmatched "}"';
  }
  if (square) return 'an unclosed "["';
  if (curly !== 0) return 'an unclosed "{"';
  for (const x of expandBraces(g)) {
    if (/\{[^{}]*\.\.[^{}]*\}/.test(g))
      return 'brace ranges such as {1..3} are not supported: list the names';
    for (const seg of x.split('/')) {
      if (seg === '..') return '".." segments are not allowed';
      if (seg.includes('**') && seg !== '**')
        return '"**" must be a whole path segment (src/**/x.ts, not src/**x.ts)';
    }
  }
  return undefined;
}

/**
 * A path both globs match, or null when no path can match both. Exact for the syntax
 * `globSyntaxProblem` accepts: it searches the product of the two patterns. Letter case is ignored
 * (on macOS and Windows `src/API/x.ts` and `src/api/x.ts` are one file), so the witness matches
 * each glob up to case.
 */
export function globOverlap(a: string, b: string): string | null {
  for (const x of expandBraces(normalizeGlob(a))) {
    for (const y of expandBraces(normalizeGlob(b))) {
      const w = intersectPaths(x.split('/'), y.split('/'));
      if (w !== null) return w.join('/');
    }
  }
  return null;
}

/** Expand `{a,b}` alternatives (nested too) into plain patterns. */
export function expandBraces(glob: string): string[] {
  const open = glob.indexOf('{');
  if (open < 0) return [glob];
  let depth = 0;
  const parts: string[] = [];
  let start = open + 1;
  for (let i = open; i < glob.length; i++) {
    const c = glob[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      parts.push(glob.slice(start, i));
      const head = glob.slice(0, open);
      const tail = glob.slice(i + 1);
      return parts.flatMap((p) => expandBraces(`${head}${p}${tail}`));
    } else if (c === ',' && depth === 1) {
      parts.push(glob.slice(start, i));
      start = i + 1;
    }
  }
  return [glob]; // unbalanced: literal
}

function intersectPaths(a: string[], b: string[]): string[] | null {
  const memo = new Map<number, string[] | null>();
  const go = (i: number, j: number): string[] | null => {
    const key = i * 4096 + j;
    if (memo.has(key)) return memo.get(key) ?? null;
    memo.set(key, null); // guards against re-entry through ** loops
    let out: string[] | null = null;
    const sa = a[i];
    const sb = b[j];
    if (sa === undefined && sb === undefined) out = [];
    else if (sa === '**' || sb === '**') {
      if (sa === '**') out = go(i + 1, j);
      if (out === null && sb === '**') out = go(i, j + 1);
      if (out === null && sa === '**' && sb !== undefined && sb !== '**') {
        // ** eats b's segment: the witness segment is any name b's segment accepts.
        const w = intersectSegment('*', sb);
        const rest = w === null ? null : go(i, j + 1);
        if (w !== null && rest !== null) out = [w, ...rest];
      }
      if (out === null && sb === '**' && sa !== undefined && sa !== '**') {
        const w = intersectSegment(sa, '*');
        const rest = w === null ? null : go(i + 1, j);
        if (w !== null && rest !== null) out = [w, ...rest];
      }
      if (out === null && sa === '**' && sb === '**') {
        const rest = go(i + 1, j + 1);
        if (rest !== null) out = rest;
      }
    } else if (sa !== undefined && sb !== undefined) {
      const w = intersectSegment(sa, sb);
      const rest = w === null ? null : go(i + 1, j + 1);
      if (w !== null && rest !== null) out = [w, ...rest];
    }
    memo.set(key, out);
    return out;
  };
  return go(0, 0);
}

type Tok = { kind: 'star' } | { kind: 'one' } | { kind: 'set'; chars: Set<string>; negated: boolean };

function tokenize(seg: string): Tok[] {
  const toks: Tok[] = [];
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i] as string;
    if (c === '*') {
      if (toks.at(-1)?.kind !== 'star') toks.push({ kind: 'star' });
    } else if (c === '?') toks.push({ kind: 'one' });
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) {
        toks.push({ kind: 'set', chars: new Set([c]), negated: false });
        continue;
      }
      let body = seg.slice(i + 1, end);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      const chars = new Set<string>();
      for (let k = 0; k < body.length; k++) {
        const lo = body[k] as string;
        if (body[k + 1] === '-' && k + 2 < body.length) {
          const hi = body[k + 2] as string;
          for (let cc = lo.charCodeAt(0); cc <= hi.charCodeAt(0); cc++) chars.add(String.fromCharCode(cc));
          k += 2;
        } else chars.add(lo);
      }
      toks.push({ kind: 'set', chars, negated });
      i = end;
    } else {
      const lit = c === '\\' && i + 1 < seg.length ? (seg[++i] as string) : c;
      toks.push({ kind: 'set', chars: new Set([lit]), negated: false });
    }
  }
  return toks;
}

/** Up to letter case, like a regular expression with the `i` flag (a negated class excludes both cases). */
function accepts(t: Tok, ch: string): boolean {
  if (t.kind !== 'set') return true;
  const has = t.chars.has(ch) || t.chars.has(ch.toUpperCase()) || t.chars.has(ch.toLowerCase());
  return t.negated ? !has : has;
}

/**
 * A segment name both segment patterns match, by breadth-first search over the product of their
 * automata. The alphabet is every character either pattern names plus one they don't.
 */
function intersectSegment(p: string, q: string): string | null {
  const a = tokenize(p);
  const b = tokenize(q);
  const alphabet = new Set<string>();
  for (const t of [...a, ...b]) if (t.kind === 'set') for (const c of t.chars) alphabet.add(c.toLowerCase());
  for (const c of 'x_0a~')
    if (!alphabet.has(c)) {
      alphabet.add(c);
      break;
    }
  alphabet.delete('/');
  const closure = (toks: Tok[], i: number): number[] => (toks[i]?.kind === 'star' ? [i, i + 1] : [i]);
  const step = (toks: Tok[], i: number, ch: string): number[] => {
    const t = toks[i];
    if (!t) return [];
    if (t.kind === 'star') return closure(toks, i); // star consumes and stays, or is left behind
    return accepts(t, ch) ? closure(toks, i + 1) : [];
  };
  const start: Array<[number, number]> = [];
  for (const x of closure(a, 0)) for (const y of closure(b, 0)) start.push([x, y]);
  const seen = new Map<string, string>();
  const queue: Array<[number, number, string]> = [];
  for (const [x, y] of start) {
    const k = `${x},${y},0`;
    if (!seen.has(k)) {
      seen.set(k, '');
      queue.push([x, y, '']);
    }
  }
  while (queue.length > 0) {
    const [x, y, word] = queue.shift() as [number, number, string];
    if (x === a.length && y === b.length && word.length > 0 && word !== '.' && word !== '..') return word;
    for (const ch of alphabet) {
      for (const nx of step(a, x, ch)) {
        for (const ny of step(b, y, ch)) {
          // A state is revisited once with a non-empty word: the empty name is no file name.
          const k = `${nx},${ny},${Math.min(word.length + 1, 3)}`;
          if (seen.has(k)) continue;
          seen.set(k, word + ch);
          queue.push([nx, ny, word + ch]);
        }
      }
    }
  }
  return null;
}
