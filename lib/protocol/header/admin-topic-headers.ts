/**
 * Topic-scoped admin request headers: DELETE_TOPIC_IN_BROKER (215), GET_TOPIC_STATS_INFO (202),
 * QUERY_TOPIC_CONSUME_BY_WHO (300), GET_TOPIC_CONFIG (351) carry `topic` (351 adds `lo`, unused without static
 * topics); QUERY_CONSUME_TIME_SPAN (303) carries `topic` and `group`. Also the parser of the 5.x
 * UPDATE_AND_CREATE_TOPIC `attributes` value.
 */
import { StratusError } from "../../common/errors.js";
import { type ExtFields, requireString } from "./ext-fields.js";

export interface TopicRequestHeader {
  topic: string;
}

export function decodeTopicRequestHeader(ext: ExtFields): TopicRequestHeader {
  return { topic: requireString(ext, "topic") };
}

export interface QueryConsumeTimeSpanRequestHeader {
  topic: string;
  group: string;
}

export function decodeQueryConsumeTimeSpanRequestHeader(ext: ExtFields): QueryConsumeTimeSpanRequestHeader {
  return { topic: requireString(ext, "topic"), group: requireString(ext, "group") };
}

/** One change in a 5.x `attributes` header value: `+key=value` sets, `-key` deletes. */
export interface TopicAttributeChange {
  op: "+" | "-";
  key: string;
  value: string;
}

/**
 * Parses the 5.x UPDATE_AND_CREATE_TOPIC `attributes` value (`+k1=v1,+k2=v2,-k3`); absent or empty gives no
 * changes. A malformed item or a key given twice raises ILLEGAL_ARGUMENT naming it.
 */
export function parseTopicAttributes(text: string | undefined): TopicAttributeChange[] {
  if (text === undefined || text === "") return [];
  const changes: TopicAttributeChange[] = [];
  const seen = new Set<string>();
  for (const item of text.split(",")) {
    const op = item.charAt(0);
    const eq = item.indexOf("=");
    let change: TopicAttributeChange | undefined;
    if (op === "+" && eq > 1 && item.indexOf("=", eq + 1) < 0) {
      change = { op, key: item.slice(1, eq), value: item.slice(eq + 1) };
    } else if (op === "-" && eq < 0 && item.length > 1) {
      change = { op, key: item.slice(1), value: "" };
    }
    if (change === undefined)
      throw new StratusError("ILLEGAL_ARGUMENT", `wrong format attribute: ${item.slice(0, 80)}`);
    if (seen.has(change.key)) throw new StratusError("ILLEGAL_ARGUMENT", `key duplication: ${change.key}`);
    seen.add(change.key);
    changes.push(change);
  }
  return changes;
}
