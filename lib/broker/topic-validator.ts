/** Topic and group name rules and the well-known system names (Apache TopicValidator / MixAll). */
import { MAX_TOPIC_LENGTH } from "../common/limits.js";

export const TopicValidator = {
  AUTO_CREATE_TOPIC_KEY_TOPIC: "TBW102",
  RMQ_SYS_SCHEDULE_TOPIC: "SCHEDULE_TOPIC_XXXX",
  RMQ_SYS_BENCHMARK_TOPIC: "BenchmarkTest",
  RMQ_SYS_TRANS_HALF_TOPIC: "RMQ_SYS_TRANS_HALF_TOPIC",
  RMQ_SYS_TRACE_TOPIC: "RMQ_SYS_TRACE_TOPIC",
  RMQ_SYS_TRANS_OP_HALF_TOPIC: "RMQ_SYS_TRANS_OP_HALF_TOPIC",
  RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC: "TRANS_CHECK_MAX_TIME_TOPIC",
  RMQ_SYS_SELF_TEST_TOPIC: "SELF_TEST_TOPIC",
  RMQ_SYS_OFFSET_MOVED_EVENT: "OFFSET_MOVED_EVENT",
  SYSTEM_TOPIC_PREFIX: "rmq_sys_",
} as const;

export const MixAll = {
  RETRY_GROUP_TOPIC_PREFIX: "%RETRY%",
  DLQ_GROUP_TOPIC_PREFIX: "%DLQ%",
  REPLY_TOPIC_POSTFIX: "REPLY_TOPIC",
  CLIENT_INNER_PRODUCER_GROUP: "CLIENT_INNER_PRODUCER",
  TOOLS_CONSUMER_GROUP: "TOOLS_CONSUMER",
  SCHEDULE_CONSUMER_GROUP: "SCHEDULE_CONSUMER",
} as const;

/** Longest retry/DLQ topic name. */
export const MAX_RETRY_TOPIC_LENGTH = 255;
/** Longest consumer/producer group name. */
export const MAX_GROUP_LENGTH = 120;

const NOT_ALLOWED_SEND: ReadonlySet<string> = new Set([
  TopicValidator.RMQ_SYS_SCHEDULE_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
  TopicValidator.RMQ_SYS_SELF_TEST_TOPIC,
  TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT,
]);

const VALID_CHARS = /^[%|a-zA-Z0-9_-]+$/;

export function isRetryOrDlqTopic(topic: string): boolean {
  return topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX) || topic.startsWith(MixAll.DLQ_GROUP_TOPIC_PREFIX);
}

/** undefined when valid, else the reason (the remark the client sees). */
export function validateTopic(topic: string): string | undefined {
  if (topic.trim() === "") return "The specified topic is blank.";
  if (!VALID_CHARS.test(topic))
    return `The specified topic[${topic}] contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$`;
  const max = isRetryOrDlqTopic(topic) ? MAX_RETRY_TOPIC_LENGTH : MAX_TOPIC_LENGTH;
  if (topic.length > max) return `The specified topic is longer than topic max length ${max}.`;
  return undefined;
}

export function validateGroup(group: string): string | undefined {
  if (group.trim() === "") return "the specified group is blank";
  if (!VALID_CHARS.test(group))
    return `the specified group[${group}] contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$`;
  if (group.length > MAX_GROUP_LENGTH)
    return `the specified group is longer than group max length ${MAX_GROUP_LENGTH}.`;
  return undefined;
}

export function isNotAllowedSendTopic(topic: string): boolean {
  return NOT_ALLOWED_SEND.has(topic);
}

export function getRetryTopic(group: string): string {
  return MixAll.RETRY_GROUP_TOPIC_PREFIX + group;
}

export function getDLQTopic(group: string): string {
  return MixAll.DLQ_GROUP_TOPIC_PREFIX + group;
}

export function isSystemTopic(topic: string): boolean {
  return (
    topic.startsWith(TopicValidator.SYSTEM_TOPIC_PREFIX) ||
    NOT_ALLOWED_SEND.has(topic) ||
    topic === TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC ||
    topic === TopicValidator.RMQ_SYS_BENCHMARK_TOPIC ||
    topic === TopicValidator.RMQ_SYS_TRACE_TOPIC
  );
}
