import ts from 'typescript';

/** A property of an object-like contract, as written (type text) and as the checker sees it. */
export interface MemberShape {
  name: string;
  optional: boolean;
  type: string;
  tsType?: ts.Type;
}

/** A parameter of a function-like contract. */
export interface ParamShape extends MemberShape {
  rest: boolean;
}

/** The comparable outline of a declaration: an object type, a function, or anything else. */
export type Shape =
  | { kind: 'object'; members: MemberShape[] }
  | { kind: 'function'; params: ParamShape[]; returns: string; returnType?: ts.Type }
  | { kind: 'other'; text: string; tsType?: ts.Type };

/** Type text with whitespace and separators normalized, so formatting never counts as a change. */
export function normalizeTypeText(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\s*([{}()[\]<>,;:|&?=])\s*/g, '$1')
    .replace(/;/g, ',')
    .replace(/,([}\])>])/g, '$1')
    .replace(/^\|/, '')
    .trim();
}

/** The outline of a symbol (aliases followed), or undefined when it declares nothing comparable. */
export function shapeOfSymbol(checker: ts.TypeChecker, symbol: ts.Symbol): Shape | undefined {
  const s = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const decl = s.declarations?.[0];
  if (!decl) return undefined;
  const isTypeLike = s.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class);
  const type = isTypeLike ? checker.getDeclaredTypeOfSymbol(s) : checker.getTypeOfSymbolAtLocation(s, decl);
  return shapeOfType(checker, type, decl);
}

/** Longest type text kept in a shape; longer text is cut (a finding must fit a fix packet). */
const MAX_TYPE_TEXT = 200;

function shapeOfType(checker: ts.TypeChecker, type: ts.Type, at: ts.Node): Shape {
  // Arrays and tuples are compared as types, not as objects with every array method.
  if (checker.isArrayType(type) || checker.isTupleType(type)) {
    return { kind: 'other', text: compactTypeText(checker, type, at), tsType: type };
  }
  const props = checker.getPropertiesOfType(type);
  const calls = type.getCallSignatures();
  const signature = calls[0];
  if (signature && props.length === 0) return functionShape(checker, signature);
  if (type.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection) && props.length > 0) {
    return { kind: 'object', members: props.map((p) => memberShape(checker, p, at)) };
  }
  return { kind: 'other', text: compactTypeText(checker, type, at), tsType: type };
}

/** The checker's text of a type, cut at a readable length. */
export function compactTypeText(checker: ts.TypeChecker, type: ts.Type, at?: ts.Node): string {
  return clip(checker.typeToString(type, at, ts.TypeFormatFlags.NoTruncation));
}

function clip(text: string): string {
  return text.length > MAX_TYPE_TEXT ? `${text.slice(0, MAX_TYPE_TEXT - 1)}…` : text;
}

function memberShape(checker: ts.TypeChecker, prop: ts.Symbol, at: ts.Node): MemberShape {
  const decl = prop.valueDeclaration ?? prop.declarations?.[0];
  const optional = (prop.flags & ts.SymbolFlags.Optional) !== 0;
  const tsType = checker.getTypeOfSymbolAtLocation(prop, decl ?? at);
  return { name: prop.name, optional, type: declaredTypeText(checker, decl, tsType, at, optional), tsType };
}

/** The annotation as written when there is one (keeps unresolved names readable), else the checker's view. */
function declaredTypeText(
  checker: ts.TypeChecker,
  decl: ts.Declaration | undefined,
  type: ts.Type,
  at: ts.Node,
  optional: boolean,
): string {
  if (decl && (ts.isPropertySignature(decl) || ts.isPropertyDeclaration(decl) || ts.isParameter(decl))) {
    if (decl.type) return decl.type.getText();
  }
  const t = optional ? checker.getNonNullableType(type) : type;
  return compactTypeText(checker, t, at);
}

function functionShape(checker: ts.TypeChecker, sig: ts.Signature): Shape {
  const at = sig.getDeclaration();
  const params = sig.getParameters().map((p): ParamShape => {
    const decl = p.valueDeclaration;
    const param = decl && ts.isParameter(decl) ? decl : undefined;
    const optional = Boolean(param?.questionToken || param?.initializer);
    const tsType = checker.getTypeOfSymbolAtLocation(p, decl ?? at);
    return {
      name: p.name,
      optional,
      rest: Boolean(param?.dotDotDotToken),
      type: declaredTypeText(checker, decl, tsType, at, optional),
      tsType,
    };
  });
  const returnType = checker.getReturnTypeOfSignature(sig);
  const returns =
    at && 'type' in at && at.type ? (at.type as ts.TypeNode).getText() : compactTypeText(checker, returnType);
  return { kind: 'function', params, returns, returnType };
}

/** A shape as one line: `{userId: string, operation: Transform}` or `(op: Operation) => void`. */
export function formatShape(shape: Shape): string {
  switch (shape.kind) {
    case 'object':
      return `{${shape.members.map(formatMember).join(', ')}}`;
    case 'function':
      return `${formatParams(shape.params)} => ${shape.returns}`;
    case 'other':
      return shape.text;
  }
}

/** `name?: type`. */
export function formatMember(m: MemberShape): string {
  return `${m.name}${m.optional ? '?' : ''}: ${m.type}`;
}

/** `(a: A, b?: B, ...c: C[])`. */
export function formatParams(params: readonly ParamShape[]): string {
  return `(${params.map((p) => `${p.rest ? '...' : ''}${formatMember(p)}`).join(', ')})`;
}

/** False when the checker could not resolve the type (an unknown name somewhere in it). */
export function isResolved(checker: ts.TypeChecker, type: ts.Type, depth = 0): boolean {
  if (depth > 4) return true;
  if (type.flags & ts.TypeFlags.Any && (type as { intrinsicName?: string }).intrinsicName === 'error')
    return false;
  if (type.isUnionOrIntersection()) return type.types.every((t) => isResolved(checker, t, depth + 1));
  if (type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) {
    return checker.getTypeArguments(type as ts.TypeReference).every((t) => isResolved(checker, t, depth + 1));
  }
  return true;
}
