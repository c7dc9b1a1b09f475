/**
 * Group-scoped admin request headers: DELETE_SUBSCRIPTIONGROUP (207: `groupName`, 4.9 `removeOffset`,
 * 5.x `cleanOffset`), GET_CONSUMER_CONNECTION_LIST (203: `consumerGroup`), GET_PRODUCER_CONNECTION_LIST
 * (204: `producerGroup`), GET_CONSUME_STATS (208: `consumerGroup`, optional `topic`), GET_CONSUMER_RUNNING_INFO
 * (307: `consumerGroup`, `clientId`, optional `jstackEnable`).
 */
import { type ExtFields, optionalBoolean, optionalString, requireString } from "./ext-fields.js";

export interface DeleteSubscriptionGroupRequestHeader {
  groupName: string;
  /** 4.9 `removeOffset` or 5.x `cleanOffset`: also drop the group's stored offsets. */
  cleanOffset: boolean;
}

export function decodeDeleteSubscriptionGroupRequestHeader(
  ext: ExtFields,
): DeleteSubscriptionGroupRequestHeader {
  return {
    groupName: requireString(ext, "groupName"),
    cleanOffset:
      (optionalBoolean(ext, "cleanOffset") ?? false) || (optionalBoolean(ext, "removeOffset") ?? false),
  };
}

export function decodeConsumerGroupHeader(ext: ExtFields): { consumerGroup: string } {
  return { consumerGroup: requireString(ext, "consumerGroup") };
}

export function decodeProducerGroupHeader(ext: ExtFields): { producerGroup: string } {
  return { producerGroup: requireString(ext, "producerGroup") };
}

export interface GetConsumeStatsRequestHeader {
  consumerGroup: string;
  topic: string | undefined;
}

export function decodeGetConsumeStatsRequestHeader(ext: ExtFields): GetConsumeStatsRequestHeader {
  const topic = optionalString(ext, "topic");
  return {
    consumerGroup: requireString(ext, "consumerGroup"),
    topic: topic === undefined || topic.trim() === "" ? undefined : topic,
  };
}

export interface GetConsumerRunningInfoRequestHeader {
  consumerGroup: string;
  clientId: string;
  jstackEnable: boolean;
}

export function decodeGetConsumerRunningInfoRequestHeader(
  ext: ExtFields,
): GetConsumerRunningInfoRequestHeader {
  return {
    consumerGroup: requireString(ext, "consumerGroup"),
    clientId: requireString(ext, "clientId"),
    jstackEnable: optionalBoolean(ext, "jstackEnable") ?? false,
  };
}
