/**
 * The small topic+queue headers: QUERY_CONSUMER_OFFSET (14), UPDATE_CONSUMER_OFFSET (15), GET_MAX_OFFSET (30),
 * GET_MIN_OFFSET (31), GET_EARLIEST_MSG_STORETIME (32), SEARCH_OFFSET_BY_TIMESTAMP (29).
 */
import {
  type ExtFields,
  optionalBoolean,
  optionalString,
  requireNumber,
  requireString,
} from "./ext-fields.js";

export interface TopicQueueHeader {
  topic: string;
  queueId: number;
}

export function decodeTopicQueueHeader(ext: ExtFields): TopicQueueHeader {
  return { topic: requireString(ext, "topic"), queueId: requireNumber(ext, "queueId") };
}

export interface QueryConsumerOffsetRequestHeader extends TopicQueueHeader {
  consumerGroup: string;
  setZeroIfNotFound: boolean | undefined;
}

export function decodeQueryConsumerOffsetRequestHeader(ext: ExtFields): QueryConsumerOffsetRequestHeader {
  return {
    ...decodeTopicQueueHeader(ext),
    consumerGroup: requireString(ext, "consumerGroup"),
    setZeroIfNotFound: optionalBoolean(ext, "setZeroIfNotFound"),
  };
}

export interface UpdateConsumerOffsetRequestHeader extends TopicQueueHeader {
  consumerGroup: string;
  commitOffset: number;
}

export function decodeUpdateConsumerOffsetRequestHeader(ext: ExtFields): UpdateConsumerOffsetRequestHeader {
  return {
    ...decodeTopicQueueHeader(ext),
    consumerGroup: requireString(ext, "consumerGroup"),
    commitOffset: requireNumber(ext, "commitOffset"),
  };
}

export interface SearchOffsetRequestHeader extends TopicQueueHeader {
  timestamp: number;
  boundaryType: "LOWER" | "UPPER";
}

export function decodeSearchOffsetRequestHeader(ext: ExtFields): SearchOffsetRequestHeader {
  const boundary = optionalString(ext, "boundaryType")?.toUpperCase();
  return {
    ...decodeTopicQueueHeader(ext),
    timestamp: requireNumber(ext, "timestamp"),
    boundaryType: boundary === "UPPER" ? "UPPER" : "LOWER",
  };
}
