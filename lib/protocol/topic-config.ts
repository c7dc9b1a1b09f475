/**
 * TopicConfig, the per-topic settings a broker keeps and registers with the NameServers (Apache
 * `TopicConfig`). Two wire forms:
 *
 * JSON bean (fastjson, keys alphabetical, inside REGISTER_BROKER bodies and topics.json):
 *   {"attributes":{},"order":false,"perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG",
 *    "topicName":"T","topicSysFlag":0,"writeQueueNums":4}
 *   `attributes` exists from 5.x on; 4.9.x ignores it. Missing fields take Java's defaults (16/16/6/SINGLE_TAG).
 *
 * Text form (`TopicConfig.encode()`, used per topic by the compressed REGISTER_BROKER body):
 *   "<topicName> <readQueueNums> <writeQueueNums> <perm> <topicFilterType> [<attributes JSON>]"
 *   single spaces; 5.x always writes the fifth separator and then the attributes JSON ("{}" when empty);
 *   4.9.x stops after the filter type. topicSysFlag and order are not carried by this form.
 */
import { StratusError } from "../common/errors.js";
import {
  expectObject,
  fieldBoolean,
  fieldInt,
  fieldString,
  type JsonObject,
  parseFastjson,
  stringMap,
  toFastjson,
} from "./fastjson.js";
import { PermName } from "./perm-name.js";

export type TopicFilterType = "SINGLE_TAG" | "MULTI_TAG";

export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType: TopicFilterType;
  topicSysFlag: number;
  order: boolean;
  attributes: Record<string, string>;
}

/** Java's field defaults (`TopicConfig.defaultReadQueueNums` etc.). */
export const TOPIC_CONFIG_DEFAULTS = {
  readQueueNums: 16,
  writeQueueNums: 16,
  perm: PermName.PERM_READ | PermName.PERM_WRITE,
  topicFilterType: "SINGLE_TAG",
  topicSysFlag: 0,
  order: false,
} as const;

/** The plain object fastjson would produce; feed it to `toFastjson` (keys get sorted there). */
export function topicConfigBean(tc: TopicConfig): Record<string, unknown> {
  return {
    attributes: tc.attributes,
    order: tc.order,
    perm: tc.perm,
    readQueueNums: tc.readQueueNums,
    topicFilterType: tc.topicFilterType,
    topicName: tc.topicName,
    topicSysFlag: tc.topicSysFlag,
    writeQueueNums: tc.writeQueueNums,
  };
}

export function encodeTopicConfigJson(tc: TopicConfig): string {
  return toFastjson(topicConfigBean(tc));
}

function filterTypeOf(raw: string, path: string): TopicFilterType {
  if (raw === "SINGLE_TAG" || raw === "MULTI_TAG") return raw;
  throw new StratusError("ILLEGAL_ARGUMENT", `${path}: unknown topicFilterType ${raw.slice(0, 40)}`);
}

/**
 * A TopicConfig from its parsed JSON bean. `fallbackName` (the topicConfigTable key) stands in for a missing
 * topicName.
 */
export function decodeTopicConfig(v: unknown, path: string, fallbackName?: string): TopicConfig {
  const o: JsonObject = expectObject(v, path);
  const d = TOPIC_CONFIG_DEFAULTS;
  return {
    topicName: fieldString(o, "topicName", path, fallbackName),
    readQueueNums: fieldInt(o, "readQueueNums", path, d.readQueueNums),
    writeQueueNums: fieldInt(o, "writeQueueNums", path, d.writeQueueNums),
    perm: fieldInt(o, "perm", path, d.perm),
    topicFilterType: filterTypeOf(fieldString(o, "topicFilterType", path, d.topicFilterType), path),
    topicSysFlag: fieldInt(o, "topicSysFlag", path, d.topicSysFlag),
    order: fieldBoolean(o, "order", path, d.order),
    attributes: stringMap(o.attributes, `${path}.attributes`),
  };
}

export function decodeTopicConfigJson(text: string, what = "TopicConfig"): TopicConfig {
  return decodeTopicConfig(parseFastjson(text, what), what);
}

/** The 5.x text form (see the file comment). */
export function encodeTopicConfigText(tc: TopicConfig): string {
  const attributes = toFastjson(tc.attributes);
  return `${tc.topicName} ${tc.readQueueNums} ${tc.writeQueueNums} ${tc.perm} ${tc.topicFilterType} ${attributes}`;
}

const INT_TEXT = /^-?\d{1,10}$/;

function textInt(raw: string, what: string): number {
  const n = Number(raw);
  if (!INT_TEXT.test(raw) || n < -0x80000000 || n > 0x7fffffff) {
    throw new StratusError("ILLEGAL_ARGUMENT", `${what}: not an int: ${raw.slice(0, 20)}`);
  }
  return n;
}

/**
 * Parse the text form. Like Java, an attributes part that does not parse (a key or value with a space
 * breaks the split) is ignored; fewer than five parts is an error.
 */
export function decodeTopicConfigText(text: string, what = "TopicConfig text"): TopicConfig {
  const parts = text.split(" ");
  const [topicName, read, write, perm, filter, attributesJson] = parts;
  if (
    topicName === undefined ||
    read === undefined ||
    write === undefined ||
    perm === undefined ||
    filter === undefined
  ) {
    throw new StratusError(
      "ILLEGAL_ARGUMENT",
      `${what}: expected 5 space-separated fields, got ${parts.length}`,
    );
  }
  let attributes: Record<string, string> = {};
  if (attributesJson !== undefined && attributesJson !== "") {
    try {
      attributes = stringMap(parseFastjson(attributesJson, what), `${what}.attributes`);
    } catch {
      attributes = {};
    }
  }
  return {
    topicName,
    readQueueNums: textInt(read, `${what}.readQueueNums`),
    writeQueueNums: textInt(write, `${what}.writeQueueNums`),
    perm: textInt(perm, `${what}.perm`),
    topicFilterType: filterTypeOf(filter, what),
    topicSysFlag: TOPIC_CONFIG_DEFAULTS.topicSysFlag,
    order: TOPIC_CONFIG_DEFAULTS.order,
    attributes,
  };
}
