/**
 * ResetOffsetRequestHeader: INVOKE_BROKER_TO_RESET_OFFSET (222, tool → broker) and RESET_CONSUMER_CLIENT_OFFSET
 * (220, broker → each consumer). Fields `topic`, `group`, `timestamp` (Long; -1 = the queue's max offset),
 * `isForce` (Boolean; when false an offset only moves backwards). 5.x adds `queueId` and `offset`, used only with
 * server-side reset, which Stratus does not implement.
 */
import { type ExtFields, extString, optionalBoolean, requireNumber, requireString } from "./ext-fields.js";

export interface ResetOffsetRequestHeader {
  topic: string;
  group: string;
  timestamp: number;
  isForce: boolean;
}

export function decodeResetOffsetRequestHeader(ext: ExtFields): ResetOffsetRequestHeader {
  return {
    topic: requireString(ext, "topic"),
    group: requireString(ext, "group"),
    timestamp: requireNumber(ext, "timestamp"),
    isForce: optionalBoolean(ext, "isForce") ?? false,
  };
}

export function encodeResetOffsetRequestHeader(h: ResetOffsetRequestHeader): Record<string, string> {
  return { topic: h.topic, group: h.group, timestamp: extString(h.timestamp), isForce: extString(h.isForce) };
}
