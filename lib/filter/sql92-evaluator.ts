/**
 * Evaluates a compiled SQL92 selector against message properties with Apache's three-valued semantics
 * (protocol §10.9): an absent property is null (unknown); comparisons with unknown are unknown; NOT unknown is
 * unknown; AND/OR short-circuit left to right; a Java exception (a failed number conversion, ordering two strings
 * that are not numbers) is EVAL_ERROR and propagates. Only an outcome of TRUE delivers the message.
 */
import {
  compareJavaDouble,
  EVAL_ERROR,
  type EvalFailure,
  type JavaValue,
  javaCompare,
  javaDoubleValueOf,
  javaNegate,
} from "./java-value.js";
import type { OrderingOp, Sql92Node } from "./sql92-ast.js";

type Outcome = JavaValue | EvalFailure;

export function evaluateSql92(node: Sql92Node, props: ReadonlyMap<string, string>): Outcome {
  switch (node.type) {
    case "constant":
      return node.value;
    case "property":
      return props.get(node.name) ?? null;
    case "negate": {
      const v = evaluateSql92(node.operand, props);
      return v === EVAL_ERROR ? v : javaNegate(v);
    }
    case "booleanCast": {
      const v = evaluateSql92(node.operand, props);
      return v === EVAL_ERROR || v === null ? v : typeof v === "boolean" && v;
    }
    case "not": {
      const v = evaluateSql92(node.operand, props);
      if (v === EVAL_ERROR || v === null) return v;
      return typeof v === "boolean" ? !v : EVAL_ERROR; // Java's (Boolean) cast would throw
    }
    case "and":
    case "or":
      return evaluateChain(node.type === "and", node.operands, props);
    case "equal":
      return evaluateEqual(node.left, node.right, props);
    case "ordering":
      return evaluateOrdering(node.op, node.left, node.right, props);
    case "in": {
      const v = evaluateSql92(node.operand, props);
      if (v === EVAL_ERROR) return v;
      if (typeof v !== "string") return null;
      return node.values.has(v) !== node.negated;
    }
    case "stringMatch":
      return evaluateStringMatch(node, props);
  }
}

/**
 * LogicExpression folded over a chain: AND answers FALSE at the first FALSE, OR answers TRUE at the first TRUE
 * (later operands are not evaluated, so their errors do not count); otherwise unknown if any operand was unknown.
 */
function evaluateChain(
  isAnd: boolean,
  operands: readonly Sql92Node[],
  props: ReadonlyMap<string, string>,
): Outcome {
  let unknown = false;
  for (const operand of operands) {
    const v = evaluateSql92(operand, props);
    if (v === EVAL_ERROR) return v;
    if (v === null) unknown = true;
    else if (typeof v !== "boolean") return EVAL_ERROR;
    else if (v !== isAnd) return v;
  }
  return unknown ? null : isAnd;
}

/** Apache's "==": both sides evaluated; NULL = NULL is TRUE, unknown = x is unknown, x = unknown is FALSE. */
function evaluateEqual(left: Sql92Node, right: Sql92Node, props: ReadonlyMap<string, string>): Outcome {
  const lv = evaluateSql92(left, props);
  if (lv === EVAL_ERROR) return lv;
  const rv = evaluateSql92(right, props);
  if (rv === EVAL_ERROR) return rv;
  if (lv === null || rv === null) return lv === null ? (rv === null ? true : null) : false;
  const order = javaCompare(lv, rv);
  return order === EVAL_ERROR ? order : order === 0;
}

/** >, >=, <, <=: unknown if either side is; two strings are compared as doubles (error if either is not one). */
function evaluateOrdering(
  op: OrderingOp,
  left: Sql92Node,
  right: Sql92Node,
  props: ReadonlyMap<string, string>,
) {
  const lv = evaluateSql92(left, props);
  if (lv === EVAL_ERROR || lv === null) return lv;
  const rv = evaluateSql92(right, props);
  if (rv === EVAL_ERROR || rv === null) return rv;
  let order: number | EvalFailure;
  if (typeof lv === "string" && typeof rv === "string") {
    const l = javaDoubleValueOf(lv);
    const r = javaDoubleValueOf(rv);
    order = l === undefined || r === undefined ? EVAL_ERROR : compareJavaDouble(l.value, r.value);
  } else {
    order = javaCompare(lv, rv);
  }
  if (order === EVAL_ERROR) return order;
  switch (op) {
    case ">":
      return order > 0;
    case ">=":
      return order >= 0;
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
  }
}

/** [NOT] CONTAINS / STARTSWITH / ENDSWITH: FALSE (never unknown) for an empty search, absent or non-string value. */
function evaluateStringMatch(node: Sql92Node & { type: "stringMatch" }, props: ReadonlyMap<string, string>) {
  if (node.search.length === 0) return false;
  const v = evaluateSql92(node.operand, props);
  if (v === EVAL_ERROR) return v;
  if (typeof v !== "string") return false;
  const found =
    node.op === "CONTAINS"
      ? v.includes(node.search)
      : node.op === "STARTSWITH"
        ? v.startsWith(node.search)
        : v.endsWith(node.search);
  return found !== node.negated;
}
