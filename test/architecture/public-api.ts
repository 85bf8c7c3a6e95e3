import path from 'node:path';
import ts from 'typescript';

/** One export of a public entry: its name, what kind of thing it is, and its doc comment's first line. */
export interface ApiExport {
  name: string;
  /** `function`, `class`, `const`, `interface`, `type`, `enum`; `type` exports vanish at runtime. */
  kind: string;
  runtime: boolean;
  doc: string;
  /** A function's signature(s), so a changed parameter or return type shows in the report too. */
  signature: string;
}

function kindOf(symbol: ts.Symbol): string {
  const f = symbol.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & ts.SymbolFlags.Variable) return 'const';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  return 'other';
}

/** A function's declared signature(s) as written in the source, whitespace collapsed. */
function signatureText(symbol: ts.Symbol): string {
  return (symbol.declarations ?? [])
    .filter(ts.isFunctionDeclaration)
    .filter(
      (d) =>
        d.body === undefined || (symbol.declarations ?? []).filter(ts.isFunctionDeclaration).length === 1,
    )
    .map((d) => {
      const generics = d.typeParameters ? `<${d.typeParameters.map((t) => t.getText()).join(', ')}>` : '';
      const params = d.parameters.map((p) => p.getText()).join(', ');
      return `${generics}(${params}): ${d.type?.getText() ?? '(inferred)'}`.replace(/\s+/g, ' ');
    })
    .join(' | ');
}

/** Every export of each entry file, sorted, read with the compiler (aliases followed to their declaration). */
export function publicApi(entries: readonly string[], tsconfig: string): Map<string, ApiExport[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`cannot read ${tsconfig}`);
  const program = ts.createProgram(entries, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const out = new Map<string, ApiExport[]>();
  for (const entry of entries) {
    const file = program.getSourceFile(entry);
    const moduleSymbol = file && checker.getSymbolAtLocation(file);
    if (!moduleSymbol) throw new Error(`${entry} is not a module`);
    const exports = checker.getExportsOfModule(moduleSymbol).map((s) => {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      const kind = kindOf(target);
      const doc =
        ts.displayPartsToString(target.getDocumentationComment(checker)).split('\n')[0]?.trim() ?? '';
      const signature = kind === 'function' ? signatureText(target) : '';
      return { name: s.name, kind, runtime: !['interface', 'type'].includes(kind), doc, signature };
    });
    out.set(
      path.relative(path.dirname(tsconfig), entry).split(path.sep).join('/'),
      exports.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    );
  }
  return out;
}

/** The report checked in: one line per export, `kind name` (and a function's signature), grouped by entry. */
export function apiReport(api: ReadonlyMap<string, readonly ApiExport[]>): string {
  const lines: string[] = [];
  for (const [entry, exports] of api) {
    const runtime = exports.filter((e) => e.runtime).length;
    lines.push(`# ${entry}: ${exports.length} exports, ${runtime} at runtime`);
    for (const e of exports) lines.push(`${e.kind.padEnd(9)} ${e.name}${e.signature}`);
    lines.push('');
  }
  return lines.join('\n');
}
