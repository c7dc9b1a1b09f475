/**
 * What a broker (by brokerName, so that a replacement process finds it) keeps in the MetadataStore, and
 * the routes NameServers answer from:
 *
 *   pk "topic-config/<brokerName>"        sk "<topic>"        TopicConfig            conditional writes
 *   pk "subscription-group/<brokerName>"  sk "<group>"        SubscriptionGroupRecord conditional writes
 *   pk "topic-route/<topic>"              sk "<brokerName>"   QueueData              written by the broker
 *
 * A route item is the QueueData the broker serves for the topic; GET_ROUTEINFO_BY_TOPIC reads one
 * partition and joins it with the live broker leases. Names are percent-encoded.
 */

import type { QueueData } from "../../protocol/route-data.js";
import type { TopicConfig } from "../../protocol/topic-config.js";
import {
  type ItemKey,
  type JsonValue,
  type MetadataItem,
  type MetadataStore,
  metadataKeyPart,
  type WriteOutcome,
} from "../metadata-store.js";
import { corrupt, type JsonObject, objectValue, queryAll } from "./record-codec.js";

/** Whether a conditional write expects the record to be new, or to be at this version. */
export type Expect = "absent" | number;

export interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

/** A subscription group's config (Apache SubscriptionGroupConfig's fields, kept as the broker gives them). */
export type SubscriptionGroupRecord = { groupName: string } & JsonObject;

export const TOPIC_CONFIG_PREFIX = "topic-config/";
export const SUBSCRIPTION_GROUP_PREFIX = "subscription-group/";
export const TOPIC_ROUTE_PREFIX = "topic-route/";

export function topicConfigKey(brokerName: string, topic: string): ItemKey {
  return { pk: TOPIC_CONFIG_PREFIX + metadataKeyPart(brokerName), sk: metadataKeyPart(topic) };
}

export function subscriptionGroupKey(brokerName: string, group: string): ItemKey {
  return { pk: SUBSCRIPTION_GROUP_PREFIX + metadataKeyPart(brokerName), sk: metadataKeyPart(group) };
}

export function topicRouteKey(topic: string, brokerName: string): ItemKey {
  return { pk: TOPIC_ROUTE_PREFIX + metadataKeyPart(topic), sk: metadataKeyPart(brokerName) };
}

function write(store: MetadataStore, key: ItemKey, value: JsonValue, expect: Expect): Promise<WriteOutcome> {
  return expect === "absent" ? store.putIfAbsent(key, value) : store.putIfVersion(key, value, expect);
}

function asJson(v: unknown): JsonValue {
  return JSON.parse(JSON.stringify(v)) as JsonValue;
}

function topicConfigOf(item: MetadataItem): TopicConfig {
  const o = objectValue(item);
  if (typeof o.topicName !== "string" || typeof o.readQueueNums !== "number" || typeof o.perm !== "number") {
    throw corrupt(item, "not a TopicConfig");
  }
  return o as unknown as TopicConfig;
}

function groupOf(item: MetadataItem): SubscriptionGroupRecord {
  const o = objectValue(item);
  if (typeof o.groupName !== "string") throw corrupt(item, "not a subscription group");
  return o as SubscriptionGroupRecord;
}

function queueDataOf(item: MetadataItem): QueueData {
  const o = objectValue(item);
  if (typeof o.brokerName !== "string" || typeof o.writeQueueNums !== "number") {
    throw corrupt(item, "not a QueueData");
  }
  return o as unknown as QueueData;
}

// --- topic configs -------------------------------------------------------------------------------------

export function putTopicConfig(
  store: MetadataStore,
  brokerName: string,
  config: TopicConfig,
  expect: Expect,
): Promise<WriteOutcome> {
  return write(store, topicConfigKey(brokerName, config.topicName), asJson(config), expect);
}

export async function getTopicConfig(
  store: MetadataStore,
  brokerName: string,
  topic: string,
): Promise<Versioned<TopicConfig> | undefined> {
  const item = await store.get(topicConfigKey(brokerName, topic));
  return item && { value: topicConfigOf(item), version: item.version };
}

export async function listTopicConfigs(
  store: MetadataStore,
  brokerName: string,
): Promise<Versioned<TopicConfig>[]> {
  const items = await queryAll(store, TOPIC_CONFIG_PREFIX + metadataKeyPart(brokerName));
  return items.map((item) => ({ value: topicConfigOf(item), version: item.version }));
}

export function deleteTopicConfig(
  store: MetadataStore,
  brokerName: string,
  topic: string,
  version: number,
): Promise<WriteOutcome> {
  return store.deleteIfVersion(topicConfigKey(brokerName, topic), version);
}

// --- subscription groups -------------------------------------------------------------------------------

export function putSubscriptionGroup(
  store: MetadataStore,
  brokerName: string,
  group: SubscriptionGroupRecord,
  expect: Expect,
): Promise<WriteOutcome> {
  return write(store, subscriptionGroupKey(brokerName, group.groupName), group, expect);
}

export async function getSubscriptionGroup(
  store: MetadataStore,
  brokerName: string,
  group: string,
): Promise<Versioned<SubscriptionGroupRecord> | undefined> {
  const item = await store.get(subscriptionGroupKey(brokerName, group));
  return item && { value: groupOf(item), version: item.version };
}

export async function listSubscriptionGroups(
  store: MetadataStore,
  brokerName: string,
): Promise<Versioned<SubscriptionGroupRecord>[]> {
  const items = await queryAll(store, SUBSCRIPTION_GROUP_PREFIX + metadataKeyPart(brokerName));
  return items.map((item) => ({ value: groupOf(item), version: item.version }));
}

export function deleteSubscriptionGroup(
  store: MetadataStore,
  brokerName: string,
  group: string,
  version: number,
): Promise<WriteOutcome> {
  return store.deleteIfVersion(subscriptionGroupKey(brokerName, group), version);
}

// --- routes --------------------------------------------------------------------------------------------

/**
 * Publishes the broker's QueueData for each topic (e.g. on registration), and withdraws it from
 * `removedTopics`. The broker owning the lease is the only writer of its own route items, so these are
 * plain batched writes.
 */
export function publishTopicRoutes(
  store: MetadataStore,
  brokerName: string,
  routes: readonly { topic: string; queueData: QueueData }[],
  removedTopics: readonly string[] = [],
): Promise<void> {
  return store.batchWrite([
    ...routes.map((r) => ({
      op: "put" as const,
      key: topicRouteKey(r.topic, brokerName),
      value: asJson({ ...r.queueData, brokerName }),
    })),
    ...removedTopics.map((topic) => ({ op: "delete" as const, key: topicRouteKey(topic, brokerName) })),
  ]);
}

/** Every broker's QueueData for the topic, by brokerName (join with the live leases to answer a route). */
export async function getTopicRoute(store: MetadataStore, topic: string): Promise<QueueData[]> {
  const items = await queryAll(store, TOPIC_ROUTE_PREFIX + metadataKeyPart(topic));
  return items.map(queueDataOf);
}
