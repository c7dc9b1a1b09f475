/**
 * The custom headers (extFields) of the NameServer commands, Apache field names verbatim
 * (`RP/header/namesrv/*RequestHeader.java`). REGISTER_BROKER's header lives with its body in
 * register-broker-body.ts. Field reads go through header/ext-fields.ts: a missing required field raises
 * StratusError("HEADER_MALFORMED") with Java's wording ("the custom field <x> is null"); encoders write every
 * value as a decimal/boolean string.
 */
import {
  type ExtFields,
  optionalBoolean,
  optionalNumber,
  optionalString,
  requireNumber,
  requireString,
} from "./header/ext-fields.js";

/** Build extFields, dropping absent values and writing numbers without exponents. */
export function toExtFields(
  fields: Record<string, string | number | boolean | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    out[k] = typeof v === "number" ? BigInt(Math.trunc(v)).toString() : String(v);
  }
  return out;
}

/** UNREGISTER_BROKER (104) and QUERY_DATA_VERSION (322): who the broker is. */
export interface BrokerIdentityHeader {
  brokerName: string;
  brokerAddr: string;
  clusterName: string;
  brokerId: number;
}

export function decodeBrokerIdentityHeader(ext: ExtFields): BrokerIdentityHeader {
  return {
    brokerName: requireString(ext, "brokerName"),
    brokerAddr: requireString(ext, "brokerAddr"),
    clusterName: requireString(ext, "clusterName"),
    brokerId: requireNumber(ext, "brokerId"),
  };
}

export function encodeBrokerIdentityHeader(h: BrokerIdentityHeader): Record<string, string> {
  return toExtFields({ ...h });
}

/** BROKER_HEARTBEAT (904, 5.x). Only the identity and the timeout matter to a NameServer. */
export interface BrokerHeartbeatRequestHeader {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId?: number | undefined;
  heartbeatTimeoutMillis?: number | undefined;
}

export function decodeBrokerHeartbeatRequestHeader(ext: ExtFields): BrokerHeartbeatRequestHeader {
  return {
    clusterName: requireString(ext, "clusterName"),
    brokerAddr: requireString(ext, "brokerAddr"),
    brokerName: requireString(ext, "brokerName"),
    brokerId: optionalNumber(ext, "brokerId"),
    heartbeatTimeoutMillis: optionalNumber(ext, "heartbeatTimeoutMillis"),
  };
}

/** GET_ROUTEINFO_BY_TOPIC (105). */
export interface GetRouteInfoRequestHeader {
  topic: string;
  acceptStandardJsonOnly: boolean;
}

export function decodeGetRouteInfoRequestHeader(ext: ExtFields): GetRouteInfoRequestHeader {
  return {
    topic: requireString(ext, "topic"),
    acceptStandardJsonOnly: optionalBoolean(ext, "acceptStandardJsonOnly") ?? false,
  };
}

export function encodeGetRouteInfoRequestHeader(h: {
  topic: string;
  acceptStandardJsonOnly?: boolean;
}): Record<string, string> {
  return toExtFields({ topic: h.topic, acceptStandardJsonOnly: h.acceptStandardJsonOnly });
}

/** PUT_KV_CONFIG (100): namespace, key, value; GET_KV_CONFIG (101) / DELETE_KV_CONFIG (102): namespace, key. */
export interface KVConfigHeader {
  namespace: string;
  key: string;
  value?: string | undefined;
}

export function decodePutKVConfigRequestHeader(ext: ExtFields): Required<KVConfigHeader> {
  return {
    namespace: requireString(ext, "namespace"),
    key: requireString(ext, "key"),
    value: requireString(ext, "value"),
  };
}

export function decodeKVConfigKeyHeader(ext: ExtFields): KVConfigHeader {
  return { namespace: requireString(ext, "namespace"), key: requireString(ext, "key") };
}

export function encodeKVConfigHeader(h: KVConfigHeader): Record<string, string> {
  return toExtFields({ namespace: h.namespace, key: h.key, value: h.value });
}

/** GET_KVLIST_BY_NAMESPACE (219). */
export function decodeNamespaceHeader(ext: ExtFields): { namespace: string } {
  return { namespace: requireString(ext, "namespace") };
}

/** DELETE_TOPIC_IN_NAMESRV (216): topic, and from 5.x an optional clusterName. */
export interface DeleteTopicFromNamesrvRequestHeader {
  topic: string;
  clusterName?: string | undefined;
}

export function decodeDeleteTopicFromNamesrvRequestHeader(
  ext: ExtFields,
): DeleteTopicFromNamesrvRequestHeader {
  return { topic: requireString(ext, "topic"), clusterName: optionalString(ext, "clusterName") };
}

/** WIPE_WRITE_PERM_OF_BROKER (205) / ADD_WRITE_PERM_OF_BROKER (327). */
export function decodeBrokerNameHeader(ext: ExtFields): { brokerName: string } {
  return { brokerName: requireString(ext, "brokerName") };
}

/** GET_TOPICS_BY_CLUSTER (224). */
export function decodeGetTopicsByClusterRequestHeader(ext: ExtFields): { cluster: string } {
  return { cluster: requireString(ext, "cluster") };
}

/** REGISTER_TOPIC_IN_NAMESRV (217, 5.x). */
export function decodeRegisterTopicRequestHeader(ext: ExtFields): { topic: string } {
  return { topic: requireString(ext, "topic") };
}
