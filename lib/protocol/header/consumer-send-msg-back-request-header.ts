/** CONSUMER_SEND_MSG_BACK (36) request header. `offset` is the CommitLog offset of the failed message. */
import {
  type ExtFields,
  optionalBoolean,
  optionalNumber,
  optionalString,
  requireNumber,
  requireString,
} from "./ext-fields.js";

export interface ConsumerSendMsgBackRequestHeader {
  offset: number;
  group: string;
  delayLevel: number;
  originMsgId: string | undefined;
  originTopic: string | undefined;
  unitMode: boolean;
  maxReconsumeTimes: number | undefined;
}

export function decodeConsumerSendMsgBackRequestHeader(ext: ExtFields): ConsumerSendMsgBackRequestHeader {
  return {
    offset: requireNumber(ext, "offset"),
    group: requireString(ext, "group"),
    delayLevel: requireNumber(ext, "delayLevel"),
    originMsgId: optionalString(ext, "originMsgId"),
    originTopic: optionalString(ext, "originTopic"),
    unitMode: optionalBoolean(ext, "unitMode") ?? false,
    maxReconsumeTimes: optionalNumber(ext, "maxReconsumeTimes"),
  };
}
