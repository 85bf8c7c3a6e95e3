import type * as TS from 'typescript';
import { truncate } from './text.js';

type Ts = typeof TS;

let tsModule: Promise<Ts> | undefined;
/** The compiler is large: load it only when a handoff is actually summarized. */
function loadTypeScript(): Promise<Ts> {
  tsModule ??= import('typescript').then((m) => (m as unknown as { default: Ts }).default ?? (m as Ts));
  return tsModule;
}

/** Longest text kept per declaration: a handoff carries interfaces, not implementations. */
const MAX_DECLARATION = 400;

/**
 * The exported declarations of a TypeScript source, bodies removed, one line each:
 * `export function f(a: string): number;`, `export interface I { … }`, a class with its public
 * member signatures, `export const x: T` (or its arrow signature), re-exports as written.
 */
export async function extractExportedDeclarations(fileName: string, text: string): Promise<string[]> {
  const ts = await loadTypeScript();
  return extractWith(ts, fileName, text);
}

function extractWith(ts: Ts, fileName: string, text: string): string[] {
  const kind = /\.tsx$/i.test(fileName) ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, kind);
  const printer = ts.createPrinter({ removeComments: true, omitTrailingSemicolon: false });
  const print = (node: TS.Node) => oneLine(printer.printNode(ts.EmitHint.Unspecified, node, sf));
  const out: string[] = [];
  const f = ts.factory;
  // With overloads, the implementation's signature is not part of the public interface.
  const overloaded = new Set<string>();

  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st) || ts.isExportAssignment(st)) {
      out.push(print(st));
      continue;
    }
    if (!isExported(ts, st)) continue;
    const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
    if (ts.isFunctionDeclaration(st)) {
      const name = st.name?.text ?? 'default';
      if (!st.body) overloaded.add(name);
      else if (overloaded.has(name)) continue;
      out.push(
        print(
          f.updateFunctionDeclaration(
            st,
            mods,
            st.asteriskToken,
            st.name,
            st.typeParameters,
            signatureParameters(ts, st.parameters),
            st.type,
            undefined,
          ),
        ),
      );
    } else if (ts.isClassDeclaration(st)) {
      const members = st.members.flatMap((m) => publicSignature(ts, m));
      out.push(
        print(f.updateClassDeclaration(st, mods, st.name, st.typeParameters, st.heritageClauses, members)),
      );
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) out.push(variableSignature(ts, st, d, print));
    } else {
      // Interfaces, type aliases, enums, namespaces: the declaration is the interface.
      out.push(print(st));
    }
  }
  return out.map((d) => truncate(d, MAX_DECLARATION));
}

function isExported(ts: Ts, node: TS.Statement): boolean {
  if (!ts.canHaveModifiers(node)) return false;
  return (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function publicSignature(ts: Ts, m: TS.ClassElement): TS.ClassElement[] {
  const f = ts.factory;
  const mods = ts.canHaveModifiers(m) ? ts.getModifiers(m) : undefined;
  const hidden = (mods ?? []).some(
    (x) => x.kind === ts.SyntaxKind.PrivateKeyword || x.kind === ts.SyntaxKind.ProtectedKeyword,
  );
  if (hidden || (m.name && ts.isPrivateIdentifier(m.name))) return [];
  if (ts.isMethodDeclaration(m)) {
    if (!m.body) return [m];
    return [
      f.updateMethodDeclaration(
        m,
        mods,
        m.asteriskToken,
        m.name,
        m.questionToken,
        m.typeParameters,
        signatureParameters(ts, m.parameters),
        m.type,
        undefined,
      ),
    ];
  }
  if (ts.isConstructorDeclaration(m)) {
    return m.parameters.length
      ? [f.updateConstructorDeclaration(m, mods, signatureParameters(ts, m.parameters), undefined)]
      : [];
  }
  if (ts.isPropertyDeclaration(m)) {
    return [
      f.updatePropertyDeclaration(m, mods, m.name, m.questionToken ?? m.exclamationToken, m.type, undefined),
    ];
  }
  if (ts.isGetAccessorDeclaration(m)) {
    return [f.updateGetAccessorDeclaration(m, mods, m.name, m.parameters, m.type, undefined)];
  }
  if (ts.isSetAccessorDeclaration(m)) {
    return [
      f.updateSetAccessorDeclaration(m, mods, m.name, signatureParameters(ts, m.parameters), undefined),
    ];
  }
  return [];
}

function variableSignature(
  ts: Ts,
  st: TS.VariableStatement,
  d: TS.VariableDeclaration,
  print: (n: TS.Node) => string,
): string {
  const keyword = st.declarationList.flags & ts.NodeFlags.Const ? 'const' : 'let';
  const name = print(d.name);
  if (d.type) return `export ${keyword} ${name}: ${print(d.type)};`;
  const init = d.initializer;
  if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
    const tps = init.typeParameters?.length ? `<${init.typeParameters.map(print).join(', ')}>` : '';
    const params = signatureParameters(ts, init.parameters).map(print).join(', ');
    const ret = init.type ? `: ${print(init.type)}` : '';
    const async = init.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ? 'async ' : '';
    return `export ${keyword} ${name} = ${async}${tps}(${params})${ret} => …;`;
  }
  return `export ${keyword} ${name} = ${init ? truncate(print(init), 80) : '…'};`;
}

/**
 * Parameters as a declaration writes them: a default value is implementation (`params = {}` is
 * not valid in a signature), so it becomes optional (`params?: T`) — or, before a required
 * parameter, keeps only its type.
 */
function signatureParameters(
  ts: Ts,
  params: TS.NodeArray<TS.ParameterDeclaration>,
): TS.NodeArray<TS.ParameterDeclaration> {
  if (!params.some((p) => p.initializer)) return params;
  const f = ts.factory;
  const required = (p: TS.ParameterDeclaration) => !p.initializer && !p.questionToken && !p.dotDotDotToken;
  return f.createNodeArray(
    params.map((p, i) => {
      if (!p.initializer) return p;
      const optional = !params.slice(i + 1).some(required);
      return f.updateParameterDeclaration(
        p,
        ts.getModifiers(p),
        p.dotDotDotToken,
        p.name,
        optional ? f.createToken(ts.SyntaxKind.QuestionToken) : p.questionToken,
        p.type ?? literalType(ts, p.initializer),
        undefined,
      );
    }),
  );
}

/** The type a literal default value gives an unannotated parameter (`input = ""` → `string`). */
function literalType(ts: Ts, init: TS.Expression): TS.TypeNode | undefined {
  const f = ts.factory;
  const k = ts.SyntaxKind;
  if (ts.isStringLiteral(init) || ts.isNoSubstitutionTemplateLiteral(init))
    return f.createKeywordTypeNode(k.StringKeyword);
  if (ts.isNumericLiteral(init)) return f.createKeywordTypeNode(k.NumberKeyword);
  if (init.kind === k.TrueKeyword || init.kind === k.FalseKeyword)
    return f.createKeywordTypeNode(k.BooleanKeyword);
  return undefined;
}

/** Collapse a printed declaration to one line. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
