/**
 * SQL92 message selectors (protocol §10.9, §5.4 check 7, §5.9): compile once, evaluate per message.
 *
 * compileSql92 never throws: an over-long, malformed or ill-typed expression is `{ ok: false, error }`, the error
 * naming the line/column and the offending token (Apache's ParseException / TokenMgrError wording). evaluate()
 * never throws either: it is TRUE only when Apache's evaluator would answer Boolean.TRUE; unknown (NULL) and any
 * evaluation error mean "not matched".
 */
import { MAX_FILTER_EXPRESSION_LENGTH } from "../common/limits.js";
import type { Sql92Node } from "./sql92-ast.js";
import { evaluateSql92 } from "./sql92-evaluator.js";
import { Sql92SyntaxError } from "./sql92-lexer.js";
import { parseSql92 } from "./sql92-parser.js";

export interface CompiledSql92 {
  readonly ok: true;
  /** True when the message with these properties is delivered. */
  evaluate(props: ReadonlyMap<string, string>): boolean;
}

export type Sql92CompileResult = CompiledSql92 | { readonly ok: false; readonly error: string };

export function compileSql92(expression: string): Sql92CompileResult {
  if (expression.length > MAX_FILTER_EXPRESSION_LENGTH)
    return {
      ok: false,
      error: `Expression is ${expression.length} characters long; the limit is ${MAX_FILTER_EXPRESSION_LENGTH}.`,
    };
  let root: Sql92Node;
  try {
    root = parseSql92(expression);
  } catch (e) {
    if (e instanceof Sql92SyntaxError) return { ok: false, error: e.message };
    throw e;
  }
  return {
    ok: true,
    evaluate: (props) => {
      const outcome = evaluateSql92(root, props);
      return outcome === true;
    },
  };
}
