import ts from 'typescript';
import type { Finding } from './types.js';

/** A read-modify-write of shared mutable state with an `await` between the read and the write. */
export interface RaceHit {
  /** The function's name, `applyOperation` or `Editor.apply`; `(anonymous)` when it has none. */
  functionName: string;
  /** The state, as written: `document.operations`, `this.queue`. */
  state: string;
  /** 1-based lines of the read, the await and the write. */
  readLine: number;
  awaitLine: number;
  writeLine: number;
  writeColumn: number;
}

const MUTATORS = new Set([
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'sort',
  'reverse',
  'fill',
  'copyWithin',
  'set',
  'delete',
  'clear',
  'add',
]);
/** Calls that show the work is serialized: a queue, a lock, a mutex. */
const SERIALIZED_CALLEE = /(queue|enqueue|lock|mutex|exclusive|serial|synchron|limit)/i;

/** `pos` orders events as they happen (a write happens at the end of its expression); `start` locates them. */
type Event =
  | { kind: 'read' | 'write'; key: string; path: string; pos: number; start: number }
  | { kind: 'await'; pos: number };

/**
 * Find read-modify-writes of module-level or class-field mutable state across an `await` in
 * async functions. A heuristic: control flow is read in source order, and a function that is
 * handed to a queue or lock (or takes one) counts as serialized.
 */
export function findRaces(fileName: string, text: string): RaceHit[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const shared = moduleState(file);
  const hits: RaceHit[] = [];
  const line = (pos: number) => file.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node: ts.Node, fields: ReadonlySet<string>): void => {
    if (ts.isClassLike(node)) fields = classFields(node);
    if (ts.isFunctionLike(node) && isAsync(node) && 'body' in node && node.body && !isSerialized(node)) {
      const events = collectEvents(node as ts.FunctionLikeDeclaration, shared, fields);
      for (const hit of raceIn(events)) {
        const lc = file.getLineAndCharacterOfPosition(hit.write.start);
        hits.push({
          functionName: functionName(node),
          state: hit.write.path,
          readLine: line(hit.read.pos),
          awaitLine: line(hit.await.pos),
          writeLine: lc.line + 1,
          writeColumn: lc.character + 1,
        });
      }
    }
    ts.forEachChild(node, (c) => visit(c, fields));
  };
  visit(file, new Set());
  return hits;
}

type Access = Extract<Event, { kind: 'read' | 'write' }>;

function raceIn(events: readonly Event[]): Array<{ read: Access; await: Event; write: Access }> {
  const out: Array<{ read: Access; await: Event; write: Access }> = [];
  const seen = new Set<string>();
  for (const w of events) {
    if (w.kind !== 'write' || seen.has(w.key)) continue;
    for (const a of events) {
      if (a.kind !== 'await' || a.pos > w.pos) continue;
      const r = events.find((e): e is Access => e.kind === 'read' && e.pos < a.pos && related(e.key, w.key));
      if (r) {
        seen.add(w.key);
        out.push({ read: r, await: a, write: w });
        break;
      }
    }
  }
  return out;
}

function related(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

function collectEvents(
  fn: ts.FunctionLikeDeclaration,
  shared: ReadonlySet<string>,
  fields: ReadonlySet<string>,
): Event[] {
  const locals = new Set<string>();
  const events: Event[] = [];
  const declare = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) locals.add(name.text);
    else for (const e of name.elements) if (!ts.isOmittedExpression(e)) declare(e.name);
  };
  for (const p of fn.parameters) declare(p.name);
  const walk = (node: ts.Node): void => {
    if (node !== fn && ts.isFunctionLike(node) && isAsync(node)) return; // analysed on its own
    if (ts.isVariableDeclaration(node)) declare(node.name);
    if (ts.isAwaitExpression(node)) {
      ts.forEachChild(node, walk);
      events.push({ kind: 'await', pos: node.end }); // the operand runs before the function suspends
      return;
    }
    const root =
      ts.isIdentifier(node) && shared.has(node.text) && !locals.has(node.text) && isReference(node)
        ? node.text
        : node.kind === ts.SyntaxKind.ThisKeyword &&
            ts.isPropertyAccessExpression(node.parent) &&
            fields.has(node.parent.name.text)
          ? 'this'
          : undefined;
    if (root !== undefined) events.push(...classify(node, root));
    ts.forEachChild(node, walk);
  };
  if (fn.body) walk(fn.body);
  return events.sort((a, b) => a.pos - b.pos);
}

/** Whether the access rooted at `node` reads or writes the state, and where that happens. */
function classify(node: ts.Node, root: string): Access[] {
  let top: ts.Expression = node as ts.Expression;
  let first: string | undefined;
  while (
    (ts.isPropertyAccessExpression(top.parent) || ts.isElementAccessExpression(top.parent)) &&
    top.parent.expression === top
  ) {
    const p: ts.PropertyAccessExpression | ts.ElementAccessExpression = top.parent;
    if (
      ts.isPropertyAccessExpression(p) &&
      MUTATORS.has(p.name.text) &&
      ts.isCallExpression(p.parent) &&
      p.parent.expression === p
    ) {
      const path = `${root}${first ? `.${first}` : ''}`;
      return [{ kind: 'write', key: path, path: top.getText(), pos: p.parent.end, start: node.getStart() }];
    }
    if (first === undefined && ts.isPropertyAccessExpression(p)) first = p.name.text;
    top = p;
  }
  const key = `${root}${first ? `.${first}` : ''}`;
  const path = first ? `${root}.${first}` : root;
  const parent = top.parent;
  const start = node.getStart();
  const read: Access = { kind: 'read', key, path, pos: start, start };
  if (ts.isBinaryExpression(parent) && parent.left === top && isAssignment(parent.operatorToken.kind)) {
    const write: Access = { kind: 'write', key, path, pos: parent.end, start };
    return parent.operatorToken.kind === ts.SyntaxKind.EqualsToken ? [write] : [read, write];
  }
  if (
    (ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) &&
    isIncrement(parent.operator)
  ) {
    return [read, { kind: 'write', key, path, pos: parent.end, start }];
  }
  if (ts.isDeleteExpression(parent)) return [{ kind: 'write', key, path, pos: parent.end, start }];
  return [read];
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

function isIncrement(op: ts.SyntaxKind): boolean {
  return op === ts.SyntaxKind.PlusPlusToken || op === ts.SyntaxKind.MinusMinusToken;
}

function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isVariableDeclaration(p) || ts.isParameter(p)) && p.name === id)
    return false;
  return !ts.isTypeReferenceNode(p) && !ts.isImportSpecifier(p);
}

/** Top-level `let`/`var` bindings, and `const` bindings holding an array, object or instance. */
function moduleState(file: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const s of file.statements) {
    if (!ts.isVariableStatement(s)) continue;
    const isConst = (s.declarationList.flags & ts.NodeFlags.Const) !== 0;
    for (const d of s.declarationList.declarations) {
      if (!ts.isIdentifier(d.name)) continue;
      if (!isConst || (d.initializer && isMutableValue(d.initializer))) names.add(d.name.text);
    }
  }
  return names;
}

function isMutableValue(e: ts.Expression): boolean {
  let x = e;
  while (ts.isAsExpression(x) || ts.isSatisfiesExpression(x) || ts.isParenthesizedExpression(x))
    x = x.expression;
  return ts.isArrayLiteralExpression(x) || ts.isObjectLiteralExpression(x) || ts.isNewExpression(x);
}

function classFields(node: ts.ClassLikeDeclaration): Set<string> {
  const names = new Set<string>();
  for (const m of node.members) {
    if (ts.isPropertyDeclaration(m) && ts.isIdentifier(m.name)) names.add(m.name.text);
    if (ts.isConstructorDeclaration(m)) {
      for (const p of m.parameters) {
        if (ts.getModifiers(p)?.length && ts.isIdentifier(p.name)) names.add(p.name.text);
      }
    }
  }
  return names;
}

function isAsync(node: ts.Node): boolean {
  return (
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ?? false)
  );
}

/** Handed to a queue or lock (`queue.add(async () => …)`), or taking one inside. */
function isSerialized(fn: ts.Node): boolean {
  const parent = fn.parent;
  if (ts.isCallExpression(parent) && parent.arguments.includes(fn as ts.Expression)) {
    const callee = parent.expression.getText();
    if (SERIALIZED_CALLEE.test(callee) || /\.then$/.test(callee)) return true;
  }
  let serialized = false;
  const look = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && /(acquire|lock|runExclusive|mutex)/i.test(n.expression.getText()))
      serialized = true;
    if (!serialized) ts.forEachChild(n, look);
  };
  look(fn);
  return serialized;
}

function functionName(node: ts.Node): string {
  const named = node as { name?: ts.Node };
  const own = named.name && ts.isIdentifier(named.name) ? named.name.text : undefined;
  const cls =
    ts.isMethodDeclaration(node) && ts.isClassLike(node.parent) ? node.parent.name?.text : undefined;
  if (own) return cls ? `${cls}.${own}` : own;
  const p = node.parent;
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return p.name.getText();
  return '(anonymous)';
}

/** Race warnings for the given TypeScript files of the tree, each mapped to the task owning the file. */
export function raceFindings(
  files: ReadonlyArray<{ path: string; text: string }>,
  ownerOf: (path: string) => { id: string; agent: string } | undefined,
): Finding[] {
  return files.flatMap(({ path, text }) =>
    findRaces(path, text).map((h): Finding => {
      const owner = ownerOf(path);
      return {
        id: `race:${path}:${h.functionName}:${h.state}`,
        kind: 'race',
        severity: 'warning',
        ...(owner ? { taskId: owner.id, agent: owner.agent } : {}),
        title: `Race condition in ${h.functionName}()`,
        details: [
          `Missing mutex on ${h.state}: read at line ${h.readLine}, awaited at line ${h.awaitLine}, written at line ${h.writeLine}; concurrent calls can interleave and lose updates`,
        ],
        location: { file: path, line: h.writeLine, column: h.writeColumn },
        fix: `serialize ${h.functionName}() through an operation queue (or hold a lock from the read of ${h.state} to the write)`,
      };
    }),
  );
}
