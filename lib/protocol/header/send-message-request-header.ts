/**
 * SEND_MESSAGE (10, long field names) and SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE (310 / 320, one-letter names).
 * V2 key map: a producerGroup, b topic, c defaultTopic, d defaultTopicQueueNums, e queueId, f sysFlag,
 * g bornTimestamp, h flag, i properties, j reconsumeTimes, k unitMode, l maxReconsumeTimes, m batch, n brokerName.
 */
import { RequestCode } from "../request-code.js";
import {
  type ExtFields,
  optionalBoolean,
  optionalNumber,
  optionalString,
  requireNumber,
  requireString,
} from "./ext-fields.js";

export interface SendMessageRequestHeader {
  producerGroup: string;
  topic: string;
  defaultTopic: string;
  defaultTopicQueueNums: number;
  queueId: number;
  sysFlag: number;
  bornTimestamp: number;
  flag: number;
  properties: string;
  reconsumeTimes: number;
  unitMode: boolean;
  maxReconsumeTimes: number | undefined;
  batch: boolean;
}

const V2_KEYS = {
  producerGroup: "a",
  topic: "b",
  defaultTopic: "c",
  defaultTopicQueueNums: "d",
  queueId: "e",
  sysFlag: "f",
  bornTimestamp: "g",
  flag: "h",
  properties: "i",
  reconsumeTimes: "j",
  unitMode: "k",
  maxReconsumeTimes: "l",
  batch: "m",
} as const;

type Field = keyof typeof V2_KEYS;

export function usesV2Header(code: number): boolean {
  return (
    code === RequestCode.SEND_MESSAGE_V2 ||
    code === RequestCode.SEND_BATCH_MESSAGE ||
    code === RequestCode.SEND_REPLY_MESSAGE_V2
  );
}

export function decodeSendMessageRequestHeader(code: number, ext: ExtFields): SendMessageRequestHeader {
  const key = (f: Field): string => (usesV2Header(code) ? V2_KEYS[f] : f);
  return {
    producerGroup: requireString(ext, key("producerGroup")),
    topic: requireString(ext, key("topic")),
    defaultTopic: optionalString(ext, key("defaultTopic")) ?? "TBW102",
    defaultTopicQueueNums: optionalNumber(ext, key("defaultTopicQueueNums")) ?? 4,
    queueId: requireNumber(ext, key("queueId")),
    sysFlag: requireNumber(ext, key("sysFlag")),
    bornTimestamp: requireNumber(ext, key("bornTimestamp")),
    flag: requireNumber(ext, key("flag")),
    properties: ext[key("properties")] ?? "",
    reconsumeTimes: optionalNumber(ext, key("reconsumeTimes")) ?? 0,
    unitMode: optionalBoolean(ext, key("unitMode")) ?? false,
    maxReconsumeTimes: optionalNumber(ext, key("maxReconsumeTimes")),
    batch: optionalBoolean(ext, key("batch")) ?? code === RequestCode.SEND_BATCH_MESSAGE,
  };
}
