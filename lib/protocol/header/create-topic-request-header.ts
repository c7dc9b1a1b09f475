/** UPDATE_AND_CREATE_TOPIC (17) request header. */
import {
  type ExtFields,
  optionalBoolean,
  optionalNumber,
  optionalString,
  requireNumber,
  requireString,
} from "./ext-fields.js";

export interface CreateTopicRequestHeader {
  topic: string;
  defaultTopic: string | undefined;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType: string;
  topicSysFlag: number;
  order: boolean;
  attributes: string | undefined;
}

export function decodeCreateTopicRequestHeader(ext: ExtFields): CreateTopicRequestHeader {
  return {
    topic: requireString(ext, "topic"),
    defaultTopic: optionalString(ext, "defaultTopic"),
    readQueueNums: requireNumber(ext, "readQueueNums"),
    writeQueueNums: requireNumber(ext, "writeQueueNums"),
    perm: requireNumber(ext, "perm"),
    topicFilterType: optionalString(ext, "topicFilterType") ?? "SINGLE_TAG",
    topicSysFlag: optionalNumber(ext, "topicSysFlag") ?? 0,
    order: optionalBoolean(ext, "order") ?? false,
    attributes: optionalString(ext, "attributes"),
  };
}
