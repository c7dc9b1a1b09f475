/**
 * The broker's SQL92 message filter (protocol §10.9, Apache ExpressionMessageFilter for expressionType=SQL92).
 * The ConsumeQueue stage lets everything through (Apache's bloom-filter bitmaps are only an optimisation); the
 * CommitLog stage decodes the stored record's properties and evaluates the expression on them. A record that does
 * not decode is not matched. Compiled expressions are cached by their text (bounded LRU), failures included, as
 * Apache's SelectorParser does.
 */
import { isStratusError } from "../common/errors.js";
import { MAX_FILTER_CACHE_ENTRIES, MAX_FILTER_EXPRESSION_LENGTH } from "../common/limits.js";
import { decodeMessageRecord } from "../protocol/message-record.js";
import { LruCache } from "./lru-cache.js";
import { compileSql92, type Sql92CompileResult } from "./sql92.js";

export interface Sql92MessageFilter {
  /** Always true: SQL92 cannot be decided from the tags hash. */
  isMatchedByConsumeQueue(tagsCode: number): boolean;
  /** Evaluates the expression on the properties of the stored record (one whole record at offset 0). */
  isMatchedByCommitLog(record: Buffer): boolean;
  /** Evaluates the expression on already decoded properties (e.g. when waking a parked pull). */
  isMatchedByProperties(props: ReadonlyMap<string, string>): boolean;
}

const compiled = new LruCache<string, Sql92CompileResult>(MAX_FILTER_CACHE_ENTRIES);

/** compileSql92 through the shared cache (over-long expressions are refused without being cached). */
export function compileSql92Cached(expression: string): Sql92CompileResult {
  const hit = compiled.get(expression);
  if (hit !== undefined) return hit;
  const result = compileSql92(expression);
  if (expression.length <= MAX_FILTER_EXPRESSION_LENGTH) compiled.set(expression, result);
  return result;
}

export function createSql92Filter(expression: string): Sql92MessageFilter | { readonly error: string } {
  const result = compileSql92Cached(expression);
  if (!result.ok) return { error: result.error };
  const isMatchedByProperties = (props: ReadonlyMap<string, string>) => result.evaluate(props);
  return {
    isMatchedByConsumeQueue: () => true,
    isMatchedByCommitLog(record: Buffer): boolean {
      let props: ReadonlyMap<string, string>;
      try {
        props = decodeMessageRecord(record).properties;
      } catch (e) {
        if (isStratusError(e)) return false;
        throw e;
      }
      return isMatchedByProperties(props);
    },
    isMatchedByProperties,
  };
}
