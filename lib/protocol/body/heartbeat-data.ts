/** HEART_BEAT (34) body: HeartbeatData with its ConsumerData / ProducerData / SubscriptionData. */
import { StratusError } from "../../common/errors.js";
import {
  type Json,
  jsonArray,
  jsonBoolean,
  jsonNumber,
  jsonObject,
  jsonString,
  parseJsonBody,
} from "./json-body.js";

/** Most subscriptions one consumer group entry may carry. */
export const MAX_SUBSCRIPTIONS_PER_CONSUMER = 4096;

export interface SubscriptionData {
  topic: string;
  subString: string;
  tagsSet: string[];
  codeSet: number[];
  subVersion: number;
  expressionType: string;
  classFilterMode: boolean;
}

export interface ConsumerData {
  groupName: string;
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
  unitMode: boolean;
  subscriptionDataSet: SubscriptionData[];
}

export interface HeartbeatData {
  clientID: string;
  producerDataSet: { groupName: string }[];
  consumerDataSet: ConsumerData[];
  heartbeatFingerprint: number;
  withoutSub: boolean;
}

export function decodeSubscriptionData(v: Json | undefined): SubscriptionData {
  const o = jsonObject(v);
  return {
    topic: jsonString(o.topic),
    subString: jsonString(o.subString, "*"),
    tagsSet: jsonArray(o.tagsSet).map((t) => jsonString(t)),
    codeSet: jsonArray(o.codeSet).map((c) => jsonNumber(c)),
    subVersion: jsonNumber(o.subVersion),
    expressionType: jsonString(o.expressionType, "TAG") || "TAG",
    classFilterMode: jsonBoolean(o.classFilterMode),
  };
}

export function encodeSubscriptionData(s: SubscriptionData): Record<string, Json> {
  return {
    classFilterMode: s.classFilterMode,
    codeSet: s.codeSet,
    expressionType: s.expressionType,
    subString: s.subString,
    subVersion: s.subVersion,
    tagsSet: s.tagsSet,
    topic: s.topic,
  };
}

function decodeConsumerData(v: Json): ConsumerData {
  const o = jsonObject(v);
  const subs = jsonArray(o.subscriptionDataSet);
  if (subs.length > MAX_SUBSCRIPTIONS_PER_CONSUMER) {
    throw new StratusError(
      "LIMIT_EXCEEDED",
      `HEART_BEAT: more than ${MAX_SUBSCRIPTIONS_PER_CONSUMER} subscriptions`,
    );
  }
  return {
    groupName: jsonString(o.groupName),
    consumeType: jsonString(o.consumeType, "CONSUME_PASSIVELY"),
    messageModel: jsonString(o.messageModel, "CLUSTERING"),
    consumeFromWhere: jsonString(o.consumeFromWhere, "CONSUME_FROM_LAST_OFFSET"),
    unitMode: jsonBoolean(o.unitMode),
    subscriptionDataSet: subs.map(decodeSubscriptionData),
  };
}

export function decodeHeartbeatData(body: Buffer | undefined): HeartbeatData {
  const o = parseJsonBody(body, "HEART_BEAT");
  const clientID = jsonString(o.clientID);
  if (clientID === "") throw new StratusError("ILLEGAL_ARGUMENT", "HEART_BEAT: clientID is missing");
  return {
    clientID,
    producerDataSet: jsonArray(o.producerDataSet).map((p) => ({
      groupName: jsonString(jsonObject(p).groupName),
    })),
    consumerDataSet: jsonArray(o.consumerDataSet)
      .map(decodeConsumerData)
      .filter((c) => c.groupName !== ""),
    heartbeatFingerprint: jsonNumber(o.heartbeatFingerprint),
    withoutSub: jsonBoolean(o.withoutSub),
  };
}
