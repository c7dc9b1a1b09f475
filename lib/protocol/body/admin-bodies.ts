/**
 * Admin bodies about topics and subscription groups (fastjson beans: compact, keys sorted, nulls omitted).
 *
 * TopicConfigSerializeWrapper (GET_ALL_TOPIC_CONFIG 21), 4.9 shape (5.x adds mapping tables, read as optional):
 *   {"dataVersion":{"counter":1,"stateVersion":0,"timestamp":ms},"topicConfigTable":{"T":<TopicConfig>}}
 * SubscriptionGroupConfig (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP 200 request body):
 *   {"brokerId":0,"consumeBroadcastEnable":true,"consumeEnable":true,"consumeFromMinEnable":true,
 *    "consumeMessageOrderly":false,"consumeTimeoutMinute":15,"groupName":"g","groupSysFlag":0,
 *    "notifyConsumerIdsChangedEnable":true,"retryMaxTimes":16,"retryQueueNums":1,"whichBrokerWhenConsumeSlowly":1}
 *   5.x fields Stratus does not keep (groupRetryPolicy, subscriptionDataSet, attributes) are ignored on input.
 * SubscriptionGroupWrapper (GET_ALL_SUBSCRIPTIONGROUP_CONFIG 201):
 *   {"dataVersion":<DataVersion>,"subscriptionGroupTable":{"g":<SubscriptionGroupConfig>}}
 * GroupList (QUERY_TOPIC_CONSUME_BY_WHO 300): {"groupList":["g1","g2"]}
 */
import { type DataVersion, dataVersionBean, decodeDataVersionValue } from "../data-version.js";
import {
  expectObject,
  fieldBoolean,
  fieldInt,
  fieldLong,
  fieldString,
  optionalObject,
  parseFastjson,
  stringList,
  toFastjson,
} from "../fastjson.js";
import { decodeTopicConfig, type TopicConfig, topicConfigBean } from "../topic-config.js";

export interface SubscriptionGroupConfig {
  groupName: string;
  consumeEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeBroadcastEnable: boolean;
  consumeMessageOrderly: boolean;
  retryQueueNums: number;
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  notifyConsumerIdsChangedEnable: boolean;
  groupSysFlag: number;
  consumeTimeoutMinute: number;
}

/** Java's field defaults (`SubscriptionGroupConfig` initialisers). */
export const SUBSCRIPTION_GROUP_DEFAULTS = {
  consumeEnable: true,
  consumeFromMinEnable: true,
  consumeBroadcastEnable: true,
  consumeMessageOrderly: false,
  retryQueueNums: 1,
  retryMaxTimes: 16,
  brokerId: 0,
  whichBrokerWhenConsumeSlowly: 1,
  notifyConsumerIdsChangedEnable: true,
  groupSysFlag: 0,
  consumeTimeoutMinute: 15,
} as const;

function body(value: unknown): Buffer {
  return Buffer.from(toFastjson(value), "utf8");
}

function parse(buf: Buffer, what: string): Readonly<Record<string, unknown>> {
  return expectObject(parseFastjson(buf.toString("utf8"), what), what);
}

export function subscriptionGroupConfigBean(g: SubscriptionGroupConfig): Record<string, unknown> {
  return {
    brokerId: g.brokerId,
    consumeBroadcastEnable: g.consumeBroadcastEnable,
    consumeEnable: g.consumeEnable,
    consumeFromMinEnable: g.consumeFromMinEnable,
    consumeMessageOrderly: g.consumeMessageOrderly,
    consumeTimeoutMinute: g.consumeTimeoutMinute,
    groupName: g.groupName,
    groupSysFlag: g.groupSysFlag,
    notifyConsumerIdsChangedEnable: g.notifyConsumerIdsChangedEnable,
    retryMaxTimes: g.retryMaxTimes,
    retryQueueNums: g.retryQueueNums,
    whichBrokerWhenConsumeSlowly: g.whichBrokerWhenConsumeSlowly,
  };
}

/** A SubscriptionGroupConfig bean; missing fields take Java's defaults, groupName is required. */
export function decodeSubscriptionGroupConfigValue(v: unknown, path: string): SubscriptionGroupConfig {
  const o = expectObject(v, path);
  const d = SUBSCRIPTION_GROUP_DEFAULTS;
  return {
    groupName: fieldString(o, "groupName", path),
    consumeEnable: fieldBoolean(o, "consumeEnable", path, d.consumeEnable),
    consumeFromMinEnable: fieldBoolean(o, "consumeFromMinEnable", path, d.consumeFromMinEnable),
    consumeBroadcastEnable: fieldBoolean(o, "consumeBroadcastEnable", path, d.consumeBroadcastEnable),
    consumeMessageOrderly: fieldBoolean(o, "consumeMessageOrderly", path, d.consumeMessageOrderly),
    retryQueueNums: fieldInt(o, "retryQueueNums", path, d.retryQueueNums),
    retryMaxTimes: fieldInt(o, "retryMaxTimes", path, d.retryMaxTimes),
    brokerId: fieldLong(o, "brokerId", path, d.brokerId),
    whichBrokerWhenConsumeSlowly: fieldLong(
      o,
      "whichBrokerWhenConsumeSlowly",
      path,
      d.whichBrokerWhenConsumeSlowly,
    ),
    notifyConsumerIdsChangedEnable: fieldBoolean(
      o,
      "notifyConsumerIdsChangedEnable",
      path,
      d.notifyConsumerIdsChangedEnable,
    ),
    groupSysFlag: fieldInt(o, "groupSysFlag", path, d.groupSysFlag),
    consumeTimeoutMinute: fieldInt(o, "consumeTimeoutMinute", path, d.consumeTimeoutMinute),
  };
}

export function encodeSubscriptionGroupConfig(g: SubscriptionGroupConfig): Buffer {
  return body(subscriptionGroupConfigBean(g));
}

export function decodeSubscriptionGroupConfig(
  buf: Buffer,
  what = "SubscriptionGroupConfig",
): SubscriptionGroupConfig {
  return decodeSubscriptionGroupConfigValue(parseFastjson(buf.toString("utf8"), what), what);
}

export interface TopicConfigSerializeWrapper {
  dataVersion: DataVersion;
  topicConfigTable: TopicConfig[];
}

export function encodeTopicConfigSerializeWrapper(w: TopicConfigSerializeWrapper): Buffer {
  const table = new Map<string, unknown>();
  for (const tc of w.topicConfigTable) table.set(tc.topicName, topicConfigBean(tc));
  return body({ dataVersion: dataVersionBean(w.dataVersion), topicConfigTable: table });
}

export function decodeTopicConfigSerializeWrapper(
  buf: Buffer,
  what = "TopicConfigSerializeWrapper",
): TopicConfigSerializeWrapper {
  const o = parse(buf, what);
  const table = optionalObject(o.topicConfigTable, `${what}.topicConfigTable`) ?? {};
  return {
    dataVersion: decodeDataVersionValue(o.dataVersion ?? {}, `${what}.dataVersion`),
    topicConfigTable: Object.keys(table).map((name) =>
      decodeTopicConfig(table[name], `${what}.topicConfigTable.${name}`, name),
    ),
  };
}

export interface SubscriptionGroupWrapper {
  dataVersion: DataVersion;
  subscriptionGroupTable: SubscriptionGroupConfig[];
}

export function encodeSubscriptionGroupWrapper(w: SubscriptionGroupWrapper): Buffer {
  const table = new Map<string, unknown>();
  for (const g of w.subscriptionGroupTable) table.set(g.groupName, subscriptionGroupConfigBean(g));
  return body({ dataVersion: dataVersionBean(w.dataVersion), subscriptionGroupTable: table });
}

export function decodeSubscriptionGroupWrapper(
  buf: Buffer,
  what = "SubscriptionGroupWrapper",
): SubscriptionGroupWrapper {
  const o = parse(buf, what);
  const table = optionalObject(o.subscriptionGroupTable, `${what}.subscriptionGroupTable`) ?? {};
  return {
    dataVersion: decodeDataVersionValue(o.dataVersion ?? {}, `${what}.dataVersion`),
    subscriptionGroupTable: Object.keys(table).map((name) =>
      decodeSubscriptionGroupConfigValue(table[name], `${what}.subscriptionGroupTable.${name}`),
    ),
  };
}

export function encodeGroupList(groups: readonly string[]): Buffer {
  return body({ groupList: groups });
}

export function decodeGroupList(buf: Buffer, what = "GroupList"): string[] {
  return stringList(parse(buf, what).groupList, `${what}.groupList`);
}
