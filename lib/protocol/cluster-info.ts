/**
 * The NameServer's list-shaped bodies (fastjson beans, compact, keys sorted):
 *
 * ClusterInfo (GET_BROKER_CLUSTER_INFO 106):
 *   {"brokerAddrTable":{"broker-a":<BrokerData>},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}
 *   Apache always writes the BrokerData `brokerAddrs` keys bare here (`{0:"…"}`). We write them quoted on
 *   purpose: every fastjson-based Java client reads quoted keys into its Map<Long,String>, fastjson2
 *   (Java >= 5.4) and Go's encoding/json need them quoted, and no client parses ClusterInfo by hand the way the
 *   Go client parses routes. `encodeClusterInfo` still takes a style for tests and tools.
 *
 * TopicList (206, 224, 304, 311-313): {"brokerAddr":"ip:port","topicList":["T1","T2"]}, brokerAddr omitted
 *   when null (it is set only by GET_SYSTEM_TOPIC_LIST_FROM_NS).
 *
 * KVTable (GET_KVLIST_BY_NAMESPACE 219, REGISTER_BROKER response): {"table":{"key":"value"}}.
 */

import {
  expectObject,
  fieldOptionalString,
  type JsonStyle,
  optionalObject,
  parseFastjson,
  stringList,
  stringMap,
  toFastjson,
} from "./fastjson.js";
import { type BrokerData, brokerDataBean, decodeBrokerData } from "./route-data.js";

export interface ClusterInfo {
  /** brokerName to BrokerData. */
  brokerAddrTable: ReadonlyMap<string, BrokerData>;
  /** clusterName to the broker names in it. */
  clusterAddrTable: ReadonlyMap<string, readonly string[]>;
}

export interface TopicList {
  topicList: string[];
  brokerAddr?: string | undefined;
}

export interface KVTable {
  table: Record<string, string>;
}

export function encodeClusterInfo(info: ClusterInfo, style: JsonStyle = "standard"): Buffer {
  const brokers = new Map<string, unknown>();
  for (const [name, data] of info.brokerAddrTable) brokers.set(name, brokerDataBean(data));
  return Buffer.from(
    toFastjson({ brokerAddrTable: brokers, clusterAddrTable: info.clusterAddrTable }, style),
  );
}

export function decodeClusterInfo(body: Buffer, what = "ClusterInfo"): ClusterInfo {
  const o = expectObject(parseFastjson(body.toString("utf8"), what), what);
  const brokerAddrTable = new Map<string, BrokerData>();
  const brokers = optionalObject(o.brokerAddrTable, `${what}.brokerAddrTable`) ?? {};
  for (const name of Object.keys(brokers)) {
    brokerAddrTable.set(name, decodeBrokerData(brokers[name], `${what}.brokerAddrTable.${name}`));
  }
  const clusterAddrTable = new Map<string, string[]>();
  const clusters = optionalObject(o.clusterAddrTable, `${what}.clusterAddrTable`) ?? {};
  for (const name of Object.keys(clusters)) {
    clusterAddrTable.set(name, stringList(clusters[name], `${what}.clusterAddrTable.${name}`));
  }
  return { brokerAddrTable, clusterAddrTable };
}

export function encodeTopicList(list: TopicList): Buffer {
  return Buffer.from(toFastjson({ brokerAddr: list.brokerAddr, topicList: list.topicList }));
}

export function decodeTopicList(body: Buffer, what = "TopicList"): TopicList {
  const o = expectObject(parseFastjson(body.toString("utf8"), what), what);
  return {
    topicList: stringList(o.topicList, `${what}.topicList`),
    brokerAddr: fieldOptionalString(o, "brokerAddr", what),
  };
}

export function encodeKVTable(kv: KVTable): Buffer {
  return Buffer.from(toFastjson({ table: kv.table }));
}

export function decodeKVTable(body: Buffer, what = "KVTable"): KVTable {
  const o = expectObject(parseFastjson(body.toString("utf8"), what), what);
  return { table: stringMap(o.table, `${what}.table`) };
}
