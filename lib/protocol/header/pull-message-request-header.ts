/** PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361) request header, and the PullSysFlag bits. */
import {
  type ExtFields,
  optionalNumber,
  optionalString,
  requireNumber,
  requireString,
} from "./ext-fields.js";

export const PullSysFlag = {
  FLAG_COMMIT_OFFSET: 1,
  FLAG_SUSPEND: 2,
  FLAG_SUBSCRIPTION: 4,
  FLAG_CLASS_FILTER: 8,
  FLAG_LITE_PULL_MESSAGE: 16,
} as const;

export interface PullMessageRequestHeader {
  consumerGroup: string;
  topic: string;
  queueId: number;
  queueOffset: number;
  maxMsgNums: number;
  sysFlag: number;
  commitOffset: number;
  suspendTimeoutMillis: number;
  subscription: string | undefined;
  subVersion: number;
  expressionType: string | undefined;
  maxMsgBytes: number | undefined;
}

export function decodePullMessageRequestHeader(ext: ExtFields): PullMessageRequestHeader {
  return {
    consumerGroup: requireString(ext, "consumerGroup"),
    topic: requireString(ext, "topic"),
    queueId: requireNumber(ext, "queueId"),
    queueOffset: requireNumber(ext, "queueOffset"),
    maxMsgNums: requireNumber(ext, "maxMsgNums"),
    sysFlag: requireNumber(ext, "sysFlag"),
    commitOffset: optionalNumber(ext, "commitOffset") ?? 0,
    suspendTimeoutMillis: optionalNumber(ext, "suspendTimeoutMillis") ?? 0,
    subscription: optionalString(ext, "subscription"),
    subVersion: optionalNumber(ext, "subVersion") ?? 0,
    expressionType: optionalString(ext, "expressionType"),
    maxMsgBytes: optionalNumber(ext, "maxMsgBytes"),
  };
}
