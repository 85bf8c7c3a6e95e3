import ts from 'typescript';
import type { MemberShape } from './contract-shape.js';

/** A consumer's use of a contract type that the contract does not allow. */
export interface ContractUse {
  typeName: string;
  /** The property used (or, for `missing`, the required property an object literal leaves out). */
  property: string;
  problem: 'unknown-property' | 'missing-property';
  node: ts.Node;
}

/**
 * Property accesses and object literals typed against a contract's object type (found by the
 * type's name, whichever declaration the consumer resolved) that use properties the canonical
 * declaration does not have, or leave out required ones.
 */
export function findContractUses(
  checker: ts.TypeChecker,
  file: ts.SourceFile,
  canonical: ReadonlyMap<string, readonly MemberShape[]>,
): ContractUse[] {
  const out: ContractUse[] = [];
  const contractOf = (type: ts.Type | undefined): [string, readonly MemberShape[]] | undefined => {
    if (!type) return undefined;
    const t = checker.getNonNullableType(type);
    const symbol = t.aliasSymbol ?? t.getSymbol();
    // Only the project's own types: a DOM `Event` is not the `Event` contract.
    if (!symbol?.declarations?.some((d) => !d.getSourceFile().isDeclarationFile)) return undefined;
    const name = symbol.name;
    const members = canonical.get(name);
    return members ? [name, members] : undefined;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) {
      const c = contractOf(checker.getTypeAtLocation(node.expression));
      const property = node.name.text;
      if (c && !c[1].some((m) => m.name === property)) {
        out.push({ typeName: c[0], property, problem: 'unknown-property', node });
      }
    } else if (ts.isObjectLiteralExpression(node)) {
      const c = contractOf(checker.getContextualType(node));
      if (c) {
        const [typeName, members] = c;
        const keys = new Set<string>();
        for (const p of node.properties) {
          const name =
            p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
          if (name === undefined) continue;
          keys.add(name);
          if (!members.some((m) => m.name === name))
            out.push({ typeName, property: name, problem: 'unknown-property', node: p });
        }
        const spreads = node.properties.some((p) => ts.isSpreadAssignment(p));
        if (!spreads) {
          for (const m of members) {
            if (!m.optional && !keys.has(m.name))
              out.push({ typeName, property: m.name, problem: 'missing-property', node });
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}
