/**
 * TAG subscription expressions (protocol §10.9, §8.6): "TagA || TagB", "*" for everything. Apache's
 * FilterAPI.buildSubscriptionData: an empty expression or exactly "*" subscribes to all tags; otherwise the
 * expression is split on "||", each part trimmed (Java trim: chars <= U+0020), empty parts dropped, duplicates
 * dropped; codes are the tags' Java hashCodes, matched against the ConsumeQueue tagsCode.
 */
import { javaStringHashCode } from "../protocol/tags.js";
import { javaTrim } from "./java-value.js";

export const SUB_ALL = "*";

export interface TagExpression {
  /** True for "*" or an empty expression: every message matches, tagged or not. */
  readonly all: boolean;
  readonly tags: readonly string[];
  readonly codes: readonly number[];
}

export function parseTagExpression(subString: string): TagExpression {
  if (subString.length === 0 || subString === SUB_ALL) return { all: true, tags: [], codes: [] };
  const tags = new Set<string>();
  for (const part of subString.split("||")) {
    const tag = javaTrim(part);
    if (tag.length > 0) tags.add(tag);
  }
  const list = [...tags];
  return { all: false, tags: list, codes: [...new Set(list.map(javaStringHashCode))] };
}

/** The ConsumeQueue check: "*" takes everything, otherwise the (int) tagsCode must be one of the codes. */
export function isTagMatched(expression: TagExpression, tagsCode: number): boolean {
  return expression.all || expression.codes.includes(tagsCode | 0);
}
