/**
 * What stateless NameServers keep in the MetadataStore (docs/adr/0005). Three record kinds:
 *
 *   pk "broker-lease"                     sk "<cluster>/<brokerName>/<brokerId, 20 digits>"  NamesrvLease
 *   pk "topic-route/<topic>"              sk "<brokerName>"                                  QueueData
 *   pk "namesrv-broker-topics/<brokerName>" sk "<topic>"                                     QueueData
 *   pk "namesrv-kv/<namespace>"           sk "<key>"                                         {"value": s}
 *   pk "namesrv-kv-namespaces"            sk "<namespace>"                                   {}
 *
 * The lease and route keys are the ones lib/ports/records defines (ADR 0004). A NameServer writes the lease
 * on REGISTER_BROKER and renews it on every heartbeat; the value is a BrokerLease plus what a NameServer
 * needs to answer as Apache does (the broker's own timeout, filter servers, whether it is a 4.x broker).
 * The per-broker topic index lists a broker's topics (topic lists, permission changes, cleanup) without a
 * scan; it mirrors the broker's route items and is written after them. Names are percent-encoded.
 */
import { StratusError } from "../common/errors.js";
import {
  type ItemKey,
  type JsonValue,
  type MetadataItem,
  type MetadataStore,
  metadataKeyPart,
} from "../ports/metadata-store.js";
import { TOPIC_ROUTE_PREFIX, topicRouteKey } from "../ports/records/broker-configs.js";
import { BROKER_LEASE_PARTITION, type BrokerLease, brokerLeaseKey } from "../ports/records/broker-leases.js";
import { queryAll } from "../ports/records/record-codec.js";
import { decodeDataVersionValue } from "../protocol/data-version.js";
import type { QueueData } from "../protocol/route-data.js";

export { BROKER_LEASE_PARTITION, brokerLeaseKey, topicRouteKey };

export const BROKER_TOPICS_PREFIX = "namesrv-broker-topics/";
export const KV_PREFIX = "namesrv-kv/";
export const KV_NAMESPACES_PARTITION = "namesrv-kv-namespaces";

/** A broker registration as NameServers store it. */
export interface NamesrvLease extends BrokerLease {
  /** How long the lease lasts after each renewal (the broker's heartbeatTimeoutMillis, else the default). */
  heartbeatTimeoutMillis: number;
  /** Registered without enableActingMaster (a 4.x broker): never a prime slave. */
  oldVersionBroker: boolean;
  /** Legacy filter servers the broker announced. */
  filterServerList: string[];
}

export interface StoredLease {
  readonly key: ItemKey;
  readonly lease: NamesrvLease;
  /** Wall-clock ms: the lease is live while now < expiresAtMs. */
  readonly expiresAtMs: number;
  readonly version: number;
}

function corrupt(item: MetadataItem, why: string): StratusError {
  return new StratusError("STORE_CORRUPT", `metadata item ${item.key.pk} ${item.key.sk}: ${why}`);
}

function objectOf(item: MetadataItem): Record<string, JsonValue> {
  const v = item.value;
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw corrupt(item, "value is not an object");
  return v;
}

function str(item: MetadataItem, o: Record<string, JsonValue>, name: string): string {
  const v = o[name];
  if (typeof v !== "string") throw corrupt(item, `${name} is not a string`);
  return v;
}

function int(item: MetadataItem, o: Record<string, JsonValue>, name: string, fallback?: number): number {
  const v = o[name] ?? fallback;
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw corrupt(item, `${name} is not an integer`);
  return v;
}

/** The lease an item holds; `defaultTimeoutMs` for leases written without a timeout (by a broker itself). */
export function storedLeaseOf(item: MetadataItem, defaultTimeoutMs: number): StoredLease {
  const o = objectOf(item);
  if (item.expiresAtMs === undefined) throw corrupt(item, "a broker lease without expiry");
  const filters = o.filterServerList ?? [];
  if (!Array.isArray(filters) || !filters.every((f) => typeof f === "string")) {
    throw corrupt(item, "filterServerList is not a list of strings");
  }
  let dataVersion: BrokerLease["dataVersion"];
  try {
    dataVersion = decodeDataVersionValue(o.dataVersion, "dataVersion");
  } catch (e) {
    throw corrupt(item, `dataVersion: ${(e as Error).message}`);
  }
  const zone = o.zoneName;
  const lease: NamesrvLease = {
    clusterName: str(item, o, "clusterName"),
    brokerName: str(item, o, "brokerName"),
    brokerId: int(item, o, "brokerId"),
    brokerAddr: str(item, o, "brokerAddr"),
    haServerAddr: typeof o.haServerAddr === "string" ? o.haServerAddr : "",
    zoneName: typeof zone === "string" ? zone : undefined,
    enableActingMaster: o.enableActingMaster === true,
    instanceId: typeof o.instanceId === "string" ? o.instanceId : "",
    dataVersion,
    heartbeatTimeoutMillis: int(item, o, "heartbeatTimeoutMillis", defaultTimeoutMs),
    oldVersionBroker: o.oldVersionBroker === true,
    filterServerList: filters as string[],
  };
  return { key: item.key, lease, expiresAtMs: item.expiresAtMs, version: item.version };
}

export function leaseValue(lease: NamesrvLease): JsonValue {
  return JSON.parse(JSON.stringify(lease)) as JsonValue;
}

export function leaseKeyOf(lease: Pick<BrokerLease, "clusterName" | "brokerName" | "brokerId">): ItemKey {
  return brokerLeaseKey(lease.clusterName, lease.brokerName, lease.brokerId);
}

/** Every lease item (live or lapsed), ordered by cluster, brokerName, brokerId. */
export async function listLeases(
  store: MetadataStore,
  defaultTimeoutMs: number,
  prefix?: { clusterName: string; brokerName?: string },
): Promise<StoredLease[]> {
  let skPrefix: string | undefined;
  if (prefix !== undefined) {
    skPrefix = `${metadataKeyPart(prefix.clusterName)}/`;
    if (prefix.brokerName !== undefined) skPrefix += `${metadataKeyPart(prefix.brokerName)}/`;
  }
  const items = await queryAll(store, BROKER_LEASE_PARTITION, { prefix: skPrefix });
  return items.map((item) => storedLeaseOf(item, defaultTimeoutMs));
}

// --- QueueData items (routes and the per-broker index) ----------------------------------------------------

export function brokerTopicKey(brokerName: string, topic: string): ItemKey {
  return { pk: BROKER_TOPICS_PREFIX + metadataKeyPart(brokerName), sk: metadataKeyPart(topic) };
}

export function queueDataOf(item: MetadataItem): QueueData {
  const o = objectOf(item);
  return {
    brokerName: str(item, o, "brokerName"),
    readQueueNums: int(item, o, "readQueueNums"),
    writeQueueNums: int(item, o, "writeQueueNums"),
    perm: int(item, o, "perm"),
    topicSysFlag: int(item, o, "topicSysFlag", 0),
  };
}

export function queueDataValue(q: QueueData): JsonValue {
  return {
    brokerName: q.brokerName,
    readQueueNums: q.readQueueNums,
    writeQueueNums: q.writeQueueNums,
    perm: q.perm,
    topicSysFlag: q.topicSysFlag,
  };
}

export function sameQueueData(a: QueueData, b: QueueData): boolean {
  return (
    a.brokerName === b.brokerName &&
    a.readQueueNums === b.readQueueNums &&
    a.writeQueueNums === b.writeQueueNums &&
    a.perm === b.perm &&
    a.topicSysFlag === b.topicSysFlag
  );
}

/** The topics a broker serves, as the index says: topic -> QueueData. */
export async function listBrokerTopics(
  store: MetadataStore,
  brokerName: string,
): Promise<Map<string, QueueData>> {
  const items = await queryAll(store, BROKER_TOPICS_PREFIX + metadataKeyPart(brokerName));
  return new Map(items.map((item) => [decodeURIComponent(item.key.sk), queueDataOf(item)]));
}

/** Every broker's QueueData for the topic, by brokerName order. */
export async function listTopicRoute(store: MetadataStore, topic: string): Promise<QueueData[]> {
  const items = await queryAll(store, TOPIC_ROUTE_PREFIX + metadataKeyPart(topic));
  return items.map(queueDataOf);
}

/**
 * Writes (or with `undefined`, deletes) the broker's QueueData of each topic: the route items first, then
 * the index, so that the index never lists a topic whose route item was not written.
 */
export async function writeBrokerTopics(
  store: MetadataStore,
  brokerName: string,
  changes: ReadonlyMap<string, QueueData | undefined>,
): Promise<void> {
  if (changes.size === 0) return;
  const ops = (keyOf: (topic: string) => ItemKey) =>
    [...changes].map(([topic, q]) =>
      q === undefined
        ? { op: "delete" as const, key: keyOf(topic) }
        : { op: "put" as const, key: keyOf(topic), value: queueDataValue({ ...q, brokerName }) },
    );
  await store.batchWrite(ops((topic) => topicRouteKey(topic, brokerName)));
  await store.batchWrite(ops((topic) => brokerTopicKey(brokerName, topic)));
}

// --- KV config ------------------------------------------------------------------------------------------

export function kvKey(namespace: string, key: string): ItemKey {
  return { pk: KV_PREFIX + metadataKeyPart(namespace), sk: metadataKeyPart(key) };
}

export function kvNamespaceKey(namespace: string): ItemKey {
  return { pk: KV_NAMESPACES_PARTITION, sk: metadataKeyPart(namespace) };
}

/** The namespace's table, or undefined when the namespace was never written. */
export async function readKVNamespace(
  store: MetadataStore,
  namespace: string,
): Promise<Map<string, string> | undefined> {
  const [marker, items] = await Promise.all([
    store.get(kvNamespaceKey(namespace)),
    queryAll(store, KV_PREFIX + metadataKeyPart(namespace)),
  ]);
  if (marker === undefined && items.length === 0) return undefined;
  return new Map(items.map((item) => [decodeURIComponent(item.key.sk), str(item, objectOf(item), "value")]));
}
