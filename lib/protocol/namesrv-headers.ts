/**
 * The custom headers (extFields) of the NameServer commands, Apache field names verbatim
 * (`RP/header/namesrv/*RequestHeader.java`). REGISTER_BROKER's header lives with its body in
 * register-broker-body.ts. A missing required field raises StratusError("HEADER_MALFORMED") with Java's
 * wording ("the custom field <x> is null"); encoders write every value as a decimal/boolean string.
 */
import { StratusError } from "../common/errors.js";

export type ExtFields = Readonly<Record<string, string>>;

export function headerString(ext: ExtFields, name: string): string | undefined {
  const v = ext[name];
  return v === undefined || v === "" ? undefined : v;
}

export function requiredHeaderString(ext: ExtFields, name: string): string {
  const v = headerString(ext, name);
  if (v === undefined) throw new StratusError("HEADER_MALFORMED", `the custom field <${name}> is null`);
  return v;
}

const LONG_TEXT = /^-?\d{1,19}$/;

/** A Java Long/Integer header field as a JS number (a safe integer), or undefined when absent. */
export function headerLong(ext: ExtFields, name: string): number | undefined {
  const v = headerString(ext, name)?.trim();
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!LONG_TEXT.test(v) || !Number.isSafeInteger(n)) {
    throw new StratusError("HEADER_MALFORMED", `the custom field <${name}> is not a long: ${v.slice(0, 24)}`);
  }
  return n;
}

export function requiredHeaderLong(ext: ExtFields, name: string): number {
  const v = headerLong(ext, name);
  if (v === undefined) throw new StratusError("HEADER_MALFORMED", `the custom field <${name}> is null`);
  return v;
}

/** A Java Boolean header field: "true" (any case) is true, anything else false; undefined when absent. */
export function headerBoolean(ext: ExtFields, name: string): boolean | undefined {
  const v = headerString(ext, name);
  return v === undefined ? undefined : v.trim().toLowerCase() === "true";
}

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
    brokerName: requiredHeaderString(ext, "brokerName"),
    brokerAddr: requiredHeaderString(ext, "brokerAddr"),
    clusterName: requiredHeaderString(ext, "clusterName"),
    brokerId: requiredHeaderLong(ext, "brokerId"),
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
    clusterName: requiredHeaderString(ext, "clusterName"),
    brokerAddr: requiredHeaderString(ext, "brokerAddr"),
    brokerName: requiredHeaderString(ext, "brokerName"),
    brokerId: headerLong(ext, "brokerId"),
    heartbeatTimeoutMillis: headerLong(ext, "heartbeatTimeoutMillis"),
  };
}

/** GET_ROUTEINFO_BY_TOPIC (105). */
export interface GetRouteInfoRequestHeader {
  topic: string;
  acceptStandardJsonOnly: boolean;
}

export function decodeGetRouteInfoRequestHeader(ext: ExtFields): GetRouteInfoRequestHeader {
  return {
    topic: requiredHeaderString(ext, "topic"),
    acceptStandardJsonOnly: headerBoolean(ext, "acceptStandardJsonOnly") ?? false,
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
    namespace: requiredHeaderString(ext, "namespace"),
    key: requiredHeaderString(ext, "key"),
    value: requiredHeaderString(ext, "value"),
  };
}

export function decodeKVConfigKeyHeader(ext: ExtFields): KVConfigHeader {
  return { namespace: requiredHeaderString(ext, "namespace"), key: requiredHeaderString(ext, "key") };
}

export function encodeKVConfigHeader(h: KVConfigHeader): Record<string, string> {
  return toExtFields({ namespace: h.namespace, key: h.key, value: h.value });
}

/** GET_KVLIST_BY_NAMESPACE (219). */
export function decodeNamespaceHeader(ext: ExtFields): { namespace: string } {
  return { namespace: requiredHeaderString(ext, "namespace") };
}

/** DELETE_TOPIC_IN_NAMESRV (216): topic, and from 5.x an optional clusterName. */
export interface DeleteTopicFromNamesrvRequestHeader {
  topic: string;
  clusterName?: string | undefined;
}

export function decodeDeleteTopicFromNamesrvRequestHeader(
  ext: ExtFields,
): DeleteTopicFromNamesrvRequestHeader {
  return { topic: requiredHeaderString(ext, "topic"), clusterName: headerString(ext, "clusterName") };
}

/** WIPE_WRITE_PERM_OF_BROKER (205) / ADD_WRITE_PERM_OF_BROKER (327). */
export function decodeBrokerNameHeader(ext: ExtFields): { brokerName: string } {
  return { brokerName: requiredHeaderString(ext, "brokerName") };
}

/** GET_TOPICS_BY_CLUSTER (224). */
export function decodeGetTopicsByClusterRequestHeader(ext: ExtFields): { cluster: string } {
  return { cluster: requiredHeaderString(ext, "cluster") };
}

/** REGISTER_TOPIC_IN_NAMESRV (217, 5.x). */
export function decodeRegisterTopicRequestHeader(ext: ExtFields): { topic: string } {
  return { topic: requiredHeaderString(ext, "topic") };
}
