import { join } from 'node:path';
import ts from 'typescript';
import type { Contract, Plan, Task } from '../domain/index.js';
import { compareShapes, describeDefect, nameSimilarity, RENAME_THRESHOLD } from './contract-compare.js';
import {
  formatMember,
  formatShape,
  type MemberShape,
  normalizeTypeText,
  type Shape,
  shapeOfSymbol,
} from './contract-shape.js';
import { findContractUses } from './contract-uses.js';
import { ownedBy } from './ownership.js';
import {
  cachingHost,
  lineColumn,
  listTypeScriptFiles,
  loadProjectConfig,
  relativePosix,
  SourceFileCache,
} from './ts-program.js';
import type { ContractDefect, Finding, Location } from './types.js';

/** Settings of one contract check over an integration tree. */
export interface ContractCheckOptions {
  /** The integration tree (absolute). */
  root: string;
  plan: Plan;
  /** Tasks whose work is in the tree; only their side of each contract is checked. */
  taskIds: readonly string[];
  cache?: SourceFileCache;
}

interface CanonicalDecl {
  name: string;
  shape: Shape;
  /** The name the provider must export it under: its own, or `default` for a default export. */
  exportAs?: string;
}

/**
 * Check every `typescript` contract: the provider must export each declared name from the files
 * it owns, with the canonical shape; each consumer's re-declarations and uses must fit it too.
 */
export function checkContracts(options: ContractCheckOptions): Finding[] {
  const { root, plan } = options;
  const contracts = plan.contracts.filter((c) => c.kind === 'typescript');
  if (contracts.length === 0) return [];
  const present = new Set(options.taskIds);
  const virtualPath = (c: Contract) =>
    join(root, '.orchestra-contracts', `${c.id.replace(/[^\w.-]/g, '_')}.ts`);
  // `export {}` makes the definition a module, so its names never merge with global declarations.
  const virtual = new Map(contracts.map((c) => [virtualPath(c), `${c.definition}\nexport {};\n`]));
  const files = listTypeScriptFiles(root);
  const rel = new Map(files.map((f) => [relativePosix(root, f), f]));
  const filesOf = (t: Task) => ownedBy(t, [...rel.keys()]).map((r) => rel.get(r) as string);
  const involved = plan.tasks.filter(
    (t) => present.has(t.id) && contracts.some((c) => c.owner === t.id || t.consumes.includes(c.id)),
  );
  const roots = [...new Set(involved.flatMap(filesOf)), ...virtual.keys()];
  const { options: compilerOptions } = loadProjectConfig(root);
  const host = cachingHost(compilerOptions, options.cache ?? new SourceFileCache(), virtual);
  const program = ts.createProgram(roots, compilerOptions, host);
  const checker = program.getTypeChecker();
  const locate = (node: ts.Node): Location => {
    const sf = node.getSourceFile();
    return { file: relativePosix(root, sf.fileName), ...lineColumn(sf, node.getStart(sf)) };
  };

  const findings: Finding[] = [];
  for (const contract of contracts) {
    const file = program.getSourceFile(virtualPath(contract));
    const canonical = file ? canonicalDeclarations(checker, file) : [];
    if (canonical.length === 0) continue;
    const expected = describeDecls(canonical);
    const finding = (
      task: Task,
      side: string,
      found: ContractDefect[],
      actual: string,
      location?: Location,
    ): void => {
      // A difference whose two sides read the same is no difference: never reported.
      let defects = found;
      const real = defects.filter((d) => normalizeTypeText(d.expected) !== normalizeTypeText(d.actual));
      if (real.length === 0) return;
      defects = real;
      const symbols = [...new Set(defects.map((d) => symbolOf(d, canonical)))];
      const primary = (canonical.find((c) => c.name === symbols[0]) ?? canonical[0]) as CanonicalDecl;
      const what =
        symbols.length > 1
          ? symbols.join(', ')
          : `${primary.name} ${primary.shape.kind === 'function' ? 'function' : primary.exportAs === 'default' ? '(default export)' : 'type'}`;
      findings.push({
        id: `contract:${contract.id}:${task.id}`,
        kind: 'contract',
        severity: 'error',
        taskId: task.id,
        agent: task.agent,
        title: `Interface mismatch in ${what} (contract ${contract.id})`,
        details: [`${side} ${task.id} (${task.agent}): ${actual}`, ...defects.map(describeDefect)],
        ...(location ? { location } : {}),
        contractId: contract.id,
        expected,
        actual,
        fix: `standardize to \`${expected}\``,
        defects,
      });
    };

    const provider = plan.tasks.find((t) => t.id === contract.owner);
    if (provider && present.has(provider.id)) {
      const exported = exportsOf(checker, program, filesOf(provider));
      const defects: ContractDefect[] = [];
      const actual: CanonicalDecl[] = [];
      let location: Location | undefined;
      for (const c of canonical) {
        const as = c.exportAs ?? c.name;
        // Several owned files may export a default (one rule per file): the one that fits is it.
        const candidates = (exported.get(as) ?? []).flatMap((symbol) => {
          const shape = shapeOfSymbol(checker, symbol);
          return shape ? [{ symbol, shape, defects: compareShapes(checker, c.shape, shape) }] : [];
        });
        const best = candidates.sort((a, b) => a.defects.length - b.defects.length)[0];
        if (!best) {
          const where = provider.owns.length ? provider.owns.join(', ') : 'no files owned';
          defects.push({
            kind: 'missing-export',
            member: as === c.name ? c.name : `${as} (${c.name})`,
            expected: as === 'default' ? `a default export \`${c.name}\`` : `\`${c.name}\``,
            actual: `from ${where}`,
          });
          continue;
        }
        actual.push({ name: c.name, shape: best.shape });
        const decl = resolve(checker, best.symbol).declarations?.[0];
        if (best.defects.length) location ??= decl ? locate(decl) : undefined;
        defects.push(...best.defects.map((d) => (canonical.length > 1 ? named(c.name, d) : d)));
      }
      finding(
        provider,
        'provider',
        defects,
        actual.length ? describeDecls(actual) : '(not exported)',
        location,
      );
    }

    const objects = new Map(
      canonical.flatMap(
        (c): Array<[string, MemberShape[]]> => (c.shape.kind === 'object' ? [[c.name, c.shape.members]] : []),
      ),
    );
    for (const consumer of plan.tasks) {
      if (
        consumer.id === contract.owner ||
        !present.has(consumer.id) ||
        !consumer.consumes.includes(contract.id)
      )
        continue;
      const defects: ContractDefect[] = [];
      const actual: string[] = [];
      let location: Location | undefined;
      for (const path of filesOf(consumer)) {
        const sf = program.getSourceFile(path);
        if (!sf) continue;
        for (const local of canonicalDeclarations(checker, sf)) {
          const c = canonical.find((x) => x.name === local.name);
          if (!c) continue;
          const more = compareShapes(checker, c.shape, local.shape);
          if (more.length) {
            defects.push(...more);
            actual.push(formatShape(local.shape));
            location ??= locate(local.node);
          }
        }
        for (const use of findContractUses(checker, sf, objects)) {
          const members = objects.get(use.typeName) ?? [];
          const d = useDefect(use.property, use.problem, members);
          if (defects.some((x) => x.kind === d.kind && x.member === d.member && x.actual === d.actual))
            continue;
          defects.push(d);
          const at = locate(use.node);
          location ??= at;
          actual.push(`\`${use.property}\` (${at.file}:${at.line})`);
        }
      }
      finding(consumer, 'consumer', defects, actual.join('; '), location);
    }
  }
  return findings;
}

function useDefect(
  property: string,
  problem: 'unknown-property' | 'missing-property',
  members: readonly MemberShape[],
): ContractDefect {
  if (problem === 'missing-property') {
    const m = members.find((x) => x.name === property);
    return {
      kind: 'missing-property',
      member: property,
      expected: m ? formatMember(m) : property,
      actual: '(absent)',
    };
  }
  const best = members
    .map((m) => ({ m, score: nameSimilarity(m.name, property) }))
    .sort((a, b) => b.score - a.score)[0];
  if (best && best.score >= RENAME_THRESHOLD) {
    return {
      kind: 'renamed-property',
      member: best.m.name,
      expected: formatMember(best.m),
      actual: property,
    };
  }
  return { kind: 'extra-property', member: property, expected: '(absent)', actual: property };
}

function describeDecls(decls: readonly CanonicalDecl[]): string {
  if (decls.length === 1) return formatShape((decls[0] as CanonicalDecl).shape);
  return decls.map((d) => `${d.name}: ${formatShape(d.shape)}`).join('; ');
}

function resolve(checker: ts.TypeChecker, s: ts.Symbol): ts.Symbol {
  return s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
}

/** Names a source file declares at top level, with their shapes (first declaration wins). */
function canonicalDeclarations(
  checker: ts.TypeChecker,
  file: ts.SourceFile,
): Array<CanonicalDecl & { node: ts.Node }> {
  const out: Array<CanonicalDecl & { node: ts.Node }> = [];
  const add = (name: ts.Identifier | undefined, node: ts.Node): void => {
    if (!name || out.some((d) => d.name === name.text)) return;
    const symbol = checker.getSymbolAtLocation(name);
    const shape = symbol && shapeOfSymbol(checker, symbol);
    if (shape) out.push({ name: name.text, shape, node });
  };
  const defaults = new Set<string>();
  for (const s of file.statements) {
    const isDefault =
      ts.canHaveModifiers(s) &&
      (ts.getModifiers(s) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
    if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && isDefault && !s.name) {
      // `export default function (…) {}`: the default export itself is the contract.
      const symbol = checker.getSymbolAtLocation(file);
      const def = symbol && checker.getExportsOfModule(symbol).find((x) => x.name === 'default');
      const shape = def && shapeOfSymbol(checker, def);
      if (shape && !out.some((d) => d.name === 'default'))
        out.push({ name: 'default', shape, node: s, exportAs: 'default' });
      continue;
    }
    if (
      ts.isInterfaceDeclaration(s) ||
      ts.isTypeAliasDeclaration(s) ||
      ts.isClassDeclaration(s) ||
      ts.isFunctionDeclaration(s) ||
      ts.isEnumDeclaration(s)
    ) {
      add(s.name, s);
      if (isDefault && s.name) defaults.add(s.name.text);
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) add(d.name, d);
    } else if (ts.isExportAssignment(s) && !s.isExportEquals) {
      if (ts.isIdentifier(s.expression)) defaults.add(s.expression.text);
      else {
        const type = checker.getTypeAtLocation(s.expression);
        const symbol = type.getSymbol();
        const shape = symbol ? shapeOfSymbol(checker, symbol) : undefined;
        if (shape && !out.some((d) => d.name === 'default'))
          out.push({ name: 'default', shape, node: s, exportAs: 'default' });
      }
    }
  }
  for (const d of out) if (defaults.has(d.name)) d.exportAs = 'default';
  return out;
}

/** The contract's symbol a defect is about (its member may be prefixed `symbol.member`). */
function symbolOf(d: ContractDefect, canonical: readonly CanonicalDecl[]): string {
  const member = d.member ?? '';
  const head = member.split('.')[0] ?? '';
  if (d.kind === 'missing-export') return member.replace(/^default \((.*)\)$/, '$1');
  return canonical.find((c) => c.name === head)?.name ?? (canonical[0] as CanonicalDecl).name;
}

/** A defect of one of several symbols: its member names the symbol (`Names.length`, or `Names`). */
function named(symbol: string, d: ContractDefect): ContractDefect {
  return { ...d, member: d.member ? `${symbol}.${d.member}` : symbol };
}

/** Exported symbols of a set of files, by name, in file order (a default export per file). */
function exportsOf(
  checker: ts.TypeChecker,
  program: ts.Program,
  files: readonly string[],
): Map<string, ts.Symbol[]> {
  const out = new Map<string, ts.Symbol[]>();
  for (const f of files) {
    const sf = program.getSourceFile(f);
    const module = sf && checker.getSymbolAtLocation(sf);
    if (!module) continue;
    for (const s of checker.getExportsOfModule(module)) out.set(s.name, [...(out.get(s.name) ?? []), s]);
  }
  return out;
}
