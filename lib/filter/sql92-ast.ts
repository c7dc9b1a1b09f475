/**
 * The compiled form of a SQL92 selector, and the checks Apache makes while building it (ComparisonExpression,
 * UnaryExpression, LogicExpression, ConstantExpression create* methods). Those checks turn some well-formed
 * selectors into compile errors: `a > 'x'`, `a = NULL`, `TRUE = 1`, `NOT 1`, `(a > 1) > 2`, `-a IN ('x')`,
 * `a BETWEEN 5 AND 1`.
 */
import { MAX_FILTER_NESTING_DEPTH } from "../common/limits.js";
import { EVAL_ERROR, type JavaValue, javaCompare, javaToString } from "./java-value.js";
import { Sql92SyntaxError, type Token } from "./sql92-lexer.js";

interface NodeBase {
  /** Depth of the tree under this node (1 for a leaf); bounded by MAX_FILTER_NESTING_DEPTH. */
  readonly depth: number;
  /** Source text, for error messages. */
  readonly source: string;
}

export type OrderingOp = ">" | ">=" | "<" | "<=";
export type StringOp = "CONTAINS" | "STARTSWITH" | "ENDSWITH";

export type Sql92Node = NodeBase &
  (
    | { readonly type: "constant"; readonly value: JavaValue }
    | { readonly type: "property"; readonly name: string }
    | { readonly type: "negate"; readonly operand: Sql92Node }
    /** A property used where a boolean is expected: TRUE only for a Boolean value, which properties never are. */
    | { readonly type: "booleanCast"; readonly operand: Sql92Node }
    | { readonly type: "not"; readonly operand: Sql92Node }
    /** A left-to-right chain of AND (or OR): evaluated in order with Apache's short circuit. */
    | { readonly type: "and" | "or"; readonly operands: readonly Sql92Node[] }
    /** Apache's "==" (also IS NULL, with a NULL constant on the right). */
    | { readonly type: "equal"; readonly left: Sql92Node; readonly right: Sql92Node }
    | {
        readonly type: "ordering";
        readonly op: OrderingOp;
        readonly left: Sql92Node;
        readonly right: Sql92Node;
      }
    | {
        readonly type: "in";
        readonly operand: Sql92Node;
        readonly values: ReadonlySet<string>;
        readonly negated: boolean;
      }
    | {
        readonly type: "stringMatch";
        readonly op: StringOp;
        readonly operand: Sql92Node;
        readonly search: string;
        readonly negated: boolean;
      }
  );

type Distribute<T> = T extends unknown ? Omit<T, "depth" | "source"> : never;
type NodeFields = Distribute<Sql92Node>;

function childrenOf(n: NodeFields): readonly Sql92Node[] {
  switch (n.type) {
    case "constant":
    case "property":
      return [];
    case "and":
    case "or":
      return n.operands;
    case "equal":
    case "ordering":
      return [n.left, n.right];
    default:
      return [n.operand];
  }
}

/** Builds a node, refusing one that would nest deeper than MAX_FILTER_NESTING_DEPTH. */
export function makeNode(fields: NodeFields, source: string, at: Token): Sql92Node {
  let depth = 0;
  for (const c of childrenOf(fields)) depth = Math.max(depth, c.depth);
  if (depth + 1 > MAX_FILTER_NESTING_DEPTH)
    fail(at, `Expression nests deeper than ${MAX_FILTER_NESTING_DEPTH} levels`);
  return { ...fields, depth: depth + 1, source } as Sql92Node;
}

export function fail(at: Token, message: string): never {
  throw new Sql92SyntaxError(`${message} at line ${at.line}, column ${at.column}.`);
}

/** Apache's BooleanExpression: boolean constants (TRUE, FALSE, NULL) and every predicate. */
export function isBooleanExpression(n: Sql92Node): boolean {
  if (n.type === "constant") return n.value === null || typeof n.value === "boolean";
  return n.type !== "property" && n.type !== "negate";
}

/** asBooleanExpression: predicates pass, a bare property becomes a boolean cast, anything else is refused. */
export function asBoolean(n: Sql92Node, at: Token): Sql92Node {
  if (isBooleanExpression(n)) return n;
  if (n.type === "property") return makeNode({ type: "booleanCast", operand: n }, n.source, at);
  return fail(at, `Expression will not result in a boolean value: ${n.source}`);
}

/** createEqual: neither side may be the NULL literal; TRUE/FALSE may not be compared with a non-boolean constant. */
export function createEqual(left: Sql92Node, right: Sql92Node, at: Token, source: string): Sql92Node {
  for (const side of [left, right])
    if (side.type === "constant" && side.value === null) fail(at, `'${side.source}' cannot be compared`);
  if (
    left.type === "constant" &&
    right.type === "constant" &&
    isBooleanExpression(left) &&
    !isBooleanExpression(right)
  )
    fail(at, `'${left.source}' cannot be compared with '${right.source}'`);
  return makeNode({ type: "equal", left, right }, source, at);
}

export function createIsNull(operand: Sql92Node, at: Token, source: string): Sql92Node {
  const nullConstant = makeNode({ type: "constant", value: null }, "NULL", at);
  return makeNode({ type: "equal", left: operand, right: nullConstant }, source, at);
}

export function createNot(operand: Sql92Node, at: Token, source: string): Sql92Node {
  return makeNode({ type: "not", operand }, source, at);
}

/** checkLessThanOperand: only numbers, properties and negations may be ordered (no strings, booleans, NULL). */
function checkOrderable(n: Sql92Node, at: Token): void {
  const constantNotNumber = n.type === "constant" && (n.value === null || typeof n.value !== "object");
  if (constantNotNumber || isBooleanExpression(n)) fail(at, `Value '${n.source}' cannot be compared`);
}

export function createOrdering(
  op: OrderingOp,
  left: Sql92Node,
  right: Sql92Node,
  at: Token,
  source: string,
): Sql92Node {
  checkOrderable(left, at);
  checkOrderable(right, at);
  return makeNode({ type: "ordering", op, left, right }, source, at);
}

/** createBetween: constant bounds must not be NULL and must not be reversed; then `v >= low AND v <= high`. */
export function createBetween(
  value: Sql92Node,
  low: Sql92Node,
  high: Sql92Node,
  at: Token,
  source: string,
): Sql92Node {
  if (low.type === "constant" && high.type === "constant") {
    if (low.value === null || high.value === null)
      fail(at, "Illegal values of between, values can not be null!");
    const order = javaCompare(high.value, low.value);
    // Java compares (high, low); a failed conversion there is a compile error too.
    if (order === EVAL_ERROR || order < 0)
      fail(
        at,
        `Illegal values of between, left value(${low.source}) must less than or equal to right value(${high.source})`,
      );
  }
  const ge = createOrdering(">=", value, low, at, source);
  const le = createOrdering("<=", value, high, at, source);
  return makeNode({ type: "and", operands: [ge, le] }, source, at);
}

/** createNotBetween: `v < low OR v > high`, with no check of the bounds. */
export function createNotBetween(
  value: Sql92Node,
  low: Sql92Node,
  high: Sql92Node,
  at: Token,
  source: string,
): Sql92Node {
  const lt = createOrdering("<", value, low, at, source);
  const gt = createOrdering(">", value, high, at, source);
  return makeNode({ type: "or", operands: [lt, gt] }, source, at);
}

/** createInFilter: the left side must be a property (parentheses allowed); the list holds string literals. */
export function createIn(
  operand: Sql92Node,
  values: readonly string[],
  negated: boolean,
  at: Token,
  source: string,
) {
  if (operand.type !== "property") fail(at, `Expected a property for In expression, got: ${operand.source}`);
  return makeNode({ type: "in", operand, values: new Set(values), negated }, source, at);
}

export function createStringMatch(
  op: StringOp,
  operand: Sql92Node,
  search: string,
  negated: boolean,
  at: Token,
  source: string,
): Sql92Node {
  return makeNode({ type: "stringMatch", op, operand, search, negated }, source, at);
}

export function constantNode(value: JavaValue, at: Token): Sql92Node {
  return makeNode(
    { type: "constant", value },
    at.kind === "STRING_LITERAL" ? javaToString(value) : at.image,
    at,
  );
}
