/** QUERY_MESSAGE (12), VIEW_MESSAGE_BY_ID (33) request headers. */
import { type ExtFields, optionalBoolean, requireNumber, requireString } from "./ext-fields.js";

/** extField that marks a query by UNIQ_KEY (MixAll.UNIQUE_MSG_QUERY_FLAG). */
export const UNIQUE_MSG_QUERY_FLAG = "_UNIQUE_KEY_QUERY";

export interface QueryMessageRequestHeader {
  topic: string;
  key: string;
  maxNum: number;
  beginTimestamp: number;
  endTimestamp: number;
  uniqueKeyQuery: boolean;
}

export function decodeQueryMessageRequestHeader(ext: ExtFields): QueryMessageRequestHeader {
  return {
    topic: requireString(ext, "topic"),
    key: requireString(ext, "key"),
    maxNum: requireNumber(ext, "maxNum"),
    beginTimestamp: requireNumber(ext, "beginTimestamp"),
    endTimestamp: requireNumber(ext, "endTimestamp"),
    uniqueKeyQuery: optionalBoolean(ext, UNIQUE_MSG_QUERY_FLAG) ?? false,
  };
}

export function decodeViewMessageRequestHeader(ext: ExtFields): { offset: number } {
  return { offset: requireNumber(ext, "offset") };
}
