/**
 * TopicRouteData, the GET_ROUTEINFO_BY_TOPIC (105) response body (Apache `TopicRouteData`, `QueueData`,
 * `BrokerData`), plus the BrokerData bean that ClusterInfo reuses. Compact fastjson bean JSON, keys sorted:
 *
 *   {"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster",
 *     "enableActingMaster":false}],"filterServerTable":{},
 *    "queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}
 *
 * `brokerAddrs` is a Java Map<Long,String>. Apache's NameServer writes its keys bare (`{0:"…"}`, fastjson's
 * default) unless the request `version` >= V4_9_4 (401) or the header `acceptStandardJsonOnly` is true, when it
 * writes `{"0":"…"}`. `routeJsonStyle` makes the same choice, deliberately: the Go client (version 317) cuts
 * `brokerAddrs` apart on `,` and `:` and parses the id with strconv, so a quoted "1" becomes id 0 and a slave
 * would overwrite the master; ali-ons (version 121) parses with a relaxed JSON parser that takes both; every
 * fastjson-based Java client takes both; fastjson2 (Java >= 5.4, version >= 493) needs the quoted form.
 *
 * Optional members: `orderTopicConf` ("broker-a:4;broker-b:4", only when order messages are enabled and the
 * ORDER_TOPIC_CONFIG namespace has the topic), `zoneName` in BrokerData (5.x). Both are omitted when absent.
 * The 4.9.0 rename of QueueData `topicSynFlag` to `topicSysFlag` is honoured on input (either spelling).
 */
import { StratusError } from "../common/errors.js";
import {
  expectObject,
  fieldBoolean,
  fieldInt,
  fieldOptionalString,
  fieldString,
  type JsonObject,
  type JsonStyle,
  numericKeyMap,
  optionalArray,
  optionalObject,
  parseFastjson,
  stringList,
  toFastjson,
} from "./fastjson.js";

/** MQVersion V4_9_4: from this request version on, Apache answers routes in standard JSON. */
export const STANDARD_JSON_MIN_VERSION = 401;

/** brokerId of the master in `brokerAddrs` (Apache MixAll.MASTER_ID). */
export const MASTER_ID = 0;

export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

export interface BrokerData {
  cluster: string;
  brokerName: string;
  /** brokerId (0 = master) to "ip:port". */
  brokerAddrs: ReadonlyMap<number, string>;
  enableActingMaster: boolean;
  zoneName?: string | undefined;
}

export interface TopicRouteData {
  orderTopicConf?: string | undefined;
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
  /** brokerAddr to filter-server addresses (legacy; always empty in practice). */
  filterServerTable: ReadonlyMap<string, readonly string[]>;
}

/** The JSON style Apache would answer GET_ROUTEINFO_BY_TOPIC with, for this request. */
export function routeJsonStyle(requestVersion: number, acceptStandardJsonOnly: boolean): JsonStyle {
  return requestVersion >= STANDARD_JSON_MIN_VERSION || acceptStandardJsonOnly ? "standard" : "fastjson";
}

export function queueDataBean(q: QueueData): Record<string, unknown> {
  return {
    brokerName: q.brokerName,
    perm: q.perm,
    readQueueNums: q.readQueueNums,
    topicSysFlag: q.topicSysFlag,
    writeQueueNums: q.writeQueueNums,
  };
}

export function brokerDataBean(b: BrokerData): Record<string, unknown> {
  return {
    brokerAddrs: numericKeyMap(b.brokerAddrs),
    brokerName: b.brokerName,
    cluster: b.cluster,
    enableActingMaster: b.enableActingMaster,
    zoneName: b.zoneName,
  };
}

export function topicRouteDataBean(r: TopicRouteData): Record<string, unknown> {
  return {
    brokerDatas: r.brokerDatas.map(brokerDataBean),
    filterServerTable: r.filterServerTable,
    orderTopicConf: r.orderTopicConf,
    queueDatas: r.queueDatas.map(queueDataBean),
  };
}

export function encodeTopicRouteData(r: TopicRouteData, style: JsonStyle): Buffer {
  return Buffer.from(toFastjson(topicRouteDataBean(r), style), "utf8");
}

export function decodeQueueData(v: unknown, path: string): QueueData {
  const o: JsonObject = expectObject(v, path);
  const sysFlag = o.topicSysFlag ?? o.topicSynFlag;
  return {
    brokerName: fieldString(o, "brokerName", path),
    readQueueNums: fieldInt(o, "readQueueNums", path, 0),
    writeQueueNums: fieldInt(o, "writeQueueNums", path, 0),
    perm: fieldInt(o, "perm", path, 0),
    topicSysFlag: fieldInt({ topicSysFlag: sysFlag }, "topicSysFlag", path, 0),
  };
}

const BROKER_ID = /^-?\d{1,18}$/;

function decodeBrokerAddrs(v: unknown, path: string): Map<number, string> {
  const o = optionalObject(v, path);
  const out = new Map<number, string>();
  if (o === undefined) return out;
  for (const key of Object.keys(o)) {
    if (!BROKER_ID.test(key) || !Number.isSafeInteger(Number(key))) {
      throw new StratusError("ILLEGAL_ARGUMENT", `${path}: broker id ${key.slice(0, 20)} is not a long`);
    }
    out.set(Number(key), fieldString(o, key, path));
  }
  return out;
}

export function decodeBrokerData(v: unknown, path: string): BrokerData {
  const o = expectObject(v, path);
  return {
    cluster: fieldString(o, "cluster", path, ""),
    brokerName: fieldString(o, "brokerName", path),
    brokerAddrs: decodeBrokerAddrs(o.brokerAddrs, `${path}.brokerAddrs`),
    enableActingMaster: fieldBoolean(o, "enableActingMaster", path, false),
    zoneName: fieldOptionalString(o, "zoneName", path),
  };
}

function decodeFilterServerTable(v: unknown, path: string): Map<string, string[]> {
  const o = optionalObject(v, path);
  const out = new Map<string, string[]>();
  if (o === undefined) return out;
  for (const key of Object.keys(o)) out.set(key, stringList(o[key], `${path}.${key}`));
  return out;
}

export function decodeTopicRouteDataValue(v: unknown, path: string): TopicRouteData {
  const o = expectObject(v, path);
  const queues = optionalArray(o.queueDatas, `${path}.queueDatas`) ?? [];
  const brokers = optionalArray(o.brokerDatas, `${path}.brokerDatas`) ?? [];
  return {
    orderTopicConf: fieldOptionalString(o, "orderTopicConf", path),
    queueDatas: queues.map((q, i) => decodeQueueData(q, `${path}.queueDatas[${i}]`)),
    brokerDatas: brokers.map((b, i) => decodeBrokerData(b, `${path}.brokerDatas[${i}]`)),
    filterServerTable: decodeFilterServerTable(o.filterServerTable, `${path}.filterServerTable`),
  };
}

/** Decode a route body in either style (bare or quoted broker ids). */
export function decodeTopicRouteData(body: Buffer, what = "TopicRouteData"): TopicRouteData {
  return decodeTopicRouteDataValue(parseFastjson(body.toString("utf8"), what), what);
}
