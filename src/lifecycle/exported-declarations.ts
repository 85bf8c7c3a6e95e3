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
            st.parameters,
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
        m.parameters,
        m.type,
        undefined,
      ),
    ];
  }
  if (ts.isConstructorDeclaration(m)) {
    return m.parameters.length ? [f.updateConstructorDeclaration(m, mods, m.parameters, undefined)] : [];
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
    return [f.updateSetAccessorDeclaration(m, mods, m.name, m.parameters, undefined)];
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
    const params = init.parameters.map(print).join(', ');
    const ret = init.type ? `: ${print(init.type)}` : '';
    const async = init.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ? 'async ' : '';
    return `export ${keyword} ${name} = ${async}${tps}(${params})${ret} => …;`;
  }
  return `export ${keyword} ${name} = ${init ? truncate(print(init), 80) : '…'};`;
}

/** Collapse a printed declaration to one line. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
