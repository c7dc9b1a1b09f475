/**
 * Who is connected, as mqadmin reads it (fastjson beans: compact, keys sorted, enums by name):
 *
 * Connection: {"clientAddr":"ip:port","clientId":"...","language":"JAVA","version":409}
 * ConsumerConnection (GET_CONSUMER_CONNECTION_LIST 203):
 *   {"connectionSet":[<Connection>],"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY",
 *    "messageModel":"CLUSTERING","subscriptionTable":{"TopicTest":<SubscriptionData>}}
 * ProducerConnection (GET_PRODUCER_CONNECTION_LIST 204): {"connectionSet":[<Connection>]}
 */
import {
  expectObject,
  fieldInt,
  fieldOptionalString,
  fieldString,
  optionalArray,
  optionalObject,
  parseFastjson,
  toFastjson,
} from "../fastjson.js";
import { decodeSubscriptionData, encodeSubscriptionData, type SubscriptionData } from "./heartbeat-data.js";
import type { Json } from "./json-body.js";

export interface ConnectionInfo {
  clientId: string;
  clientAddr: string;
  language: string;
  version: number;
}

export interface ConsumerConnection {
  connectionSet: ConnectionInfo[];
  subscriptionTable: SubscriptionData[];
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
}

function connectionBean(c: ConnectionInfo): Record<string, unknown> {
  return { clientAddr: c.clientAddr, clientId: c.clientId, language: c.language, version: c.version };
}

function decodeConnectionSet(v: unknown, path: string): ConnectionInfo[] {
  return (optionalArray(v, path) ?? []).map((e, i) => {
    const at = `${path}[${i}]`;
    const o = expectObject(e, at);
    return {
      clientId: fieldString(o, "clientId", at, ""),
      clientAddr: fieldString(o, "clientAddr", at, ""),
      language: fieldString(o, "language", at, "JAVA"),
      version: fieldInt(o, "version", at, 0),
    };
  });
}

export function encodeConsumerConnection(c: ConsumerConnection): Buffer {
  const subscriptionTable = new Map<string, unknown>();
  for (const sub of c.subscriptionTable) subscriptionTable.set(sub.topic, encodeSubscriptionData(sub));
  const bean = {
    connectionSet: c.connectionSet.map(connectionBean),
    consumeFromWhere: c.consumeFromWhere,
    consumeType: c.consumeType,
    messageModel: c.messageModel,
    subscriptionTable,
  };
  return Buffer.from(toFastjson(bean), "utf8");
}

export function decodeConsumerConnection(buf: Buffer, what = "ConsumerConnection"): ConsumerConnection {
  const o = expectObject(parseFastjson(buf.toString("utf8"), what), what);
  const subs = optionalObject(o.subscriptionTable, `${what}.subscriptionTable`) ?? {};
  return {
    connectionSet: decodeConnectionSet(o.connectionSet, `${what}.connectionSet`),
    subscriptionTable: Object.keys(subs).map((topic) => decodeSubscriptionData(subs[topic] as Json)),
    consumeType: fieldOptionalString(o, "consumeType", what) ?? "",
    messageModel: fieldOptionalString(o, "messageModel", what) ?? "",
    consumeFromWhere: fieldOptionalString(o, "consumeFromWhere", what) ?? "",
  };
}

export function encodeProducerConnection(connections: readonly ConnectionInfo[]): Buffer {
  return Buffer.from(toFastjson({ connectionSet: connections.map(connectionBean) }), "utf8");
}

export function decodeProducerConnection(buf: Buffer, what = "ProducerConnection"): ConnectionInfo[] {
  const o = expectObject(parseFastjson(buf.toString("utf8"), what), what);
  return decodeConnectionSet(o.connectionSet, `${what}.connectionSet`);
}
