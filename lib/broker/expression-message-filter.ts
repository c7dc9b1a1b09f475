/**
 * Broker-side filtering of a pull: TAG subscriptions match the ConsumeQueue tagsCode against the subscription's
 * codeSet ("*" matches everything); the client re-checks the tag string, so hash collisions are harmless.
 */
import { compileSql92Cached, createSql92Filter } from "../filter/sql92-filter.js";
import type { SubscriptionData } from "../protocol/body/heartbeat-data.js";
import { javaStringHashCode } from "../protocol/tags.js";
import type { MessageFilter } from "../store/message-store.js";

export const SUB_ALL = "*";

/** Build SubscriptionData from an expression sent in a pull header (TAG type). */
export function buildTagSubscriptionData(
  topic: string,
  subString: string,
  subVersion: number,
): SubscriptionData {
  const expr = subString.trim() === "" ? SUB_ALL : subString.trim();
  const tags =
    expr === SUB_ALL
      ? []
      : expr
          .split("||")
          .map((t) => t.trim())
          .filter((t) => t.length > 0);
  return {
    topic,
    subString: expr,
    tagsSet: tags,
    codeSet: tags.map(javaStringHashCode),
    subVersion,
    expressionType: "TAG",
    classFilterMode: false,
  };
}

export function tagMessageFilter(sub: SubscriptionData): MessageFilter | undefined {
  if (sub.subString === SUB_ALL || sub.subString === "") return undefined;
  const codes = new Set(sub.codeSet);
  // Rebuild from tagsSet when a client sent no codes (older or hand-built heartbeats).
  if (codes.size === 0) for (const t of sub.tagsSet) codes.add(javaStringHashCode(t));
  return { isMatchedByConsumeQueue: (tagsCode) => codes.has(tagsCode | 0) };
}

/** A filter that lets nothing through (an SQL92 expression that does not compile matches no message). */
const MATCH_NONE: MessageFilter = { isMatchedByConsumeQueue: () => false };

/** TAG subscriptions filter by tagsCode; SQL92 ones evaluate the expression on each record's properties. */
export function expressionMessageFilter(sub: SubscriptionData): MessageFilter | undefined {
  if (sub.expressionType === "SQL92") {
    const f = createSql92Filter(sub.subString);
    return "error" in f ? MATCH_NONE : f;
  }
  return tagMessageFilter(sub);
}

/** CHECK_CLIENT_CONFIG / pull validation: the parse error of a non-TAG expression, or undefined. */
export function checkExpression(type: string, expression: string): string | undefined {
  if (type !== "SQL92") return `unsupported expression type ${type}`;
  const compiled = compileSql92Cached(expression);
  return compiled.ok ? undefined : compiled.error;
}
