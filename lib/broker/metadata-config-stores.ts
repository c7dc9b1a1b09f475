/**
 * A broker's topics, subscription groups and consumer offsets in the MetadataStore, under its brokerName
 * (record layout: lib/ports/records, ADR 0004), so a restarted broker, or a replacement with an empty disk
 * and the same brokerName, serves the same topics, permissions, groups and offsets.
 *
 * - Topic configs and subscription groups: one record per topic / group, written conditionally behind
 *   the in-memory table as soon as it changes (metadata-write-behind.ts).
 * - Consumer offsets: the ConsumerOffsetManager saves what changed every flushConsumerOffsetInterval and on
 *   shutdown; here that becomes blind batch writes (offsets are last-writer-wins, ADR 0004).
 */
import { MAX_METADATA_BATCH_OPS } from "../common/limits.js";
import type { JsonValue, MetadataStore } from "../ports/metadata-store.js";
import {
  listSubscriptionGroups,
  listTopicConfigs,
  subscriptionGroupKey,
  topicConfigKey,
} from "../ports/records/broker-configs.js";
import {
  type ConsumerOffset,
  deleteConsumerOffsets,
  listConsumerOffsets,
  writeConsumerOffsets,
} from "../ports/records/consumer-offsets.js";
import type {
  BrokerConfigStores,
  ConsumerOffsetStore,
  OffsetEntry,
  OffsetQueue,
  SubscriptionGroupStore,
  TopicConfigStore,
} from "./config-stores.js";
import { ConditionalWriteBehind } from "./metadata-write-behind.js";
import type { SubscriptionGroupConfig } from "./subscription-group-manager.js";

export interface MetadataConfigStores extends BrokerConfigStores {
  /** Queued topic/group writes not yet in the store. */
  backlog(): number;
  /** Stops the background writes (flush first to keep them). */
  close(): void;
}

function asJson(v: unknown): JsonValue {
  return JSON.parse(JSON.stringify(v)) as JsonValue;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function topicStore(
  store: MetadataStore,
  brokerName: string,
  writes: ConditionalWriteBehind,
): TopicConfigStore {
  return {
    async load() {
      const found = await listTopicConfigs(store, brokerName);
      if (found.length === 0) return undefined;
      for (const { value, version } of found)
        writes.seen(topicConfigKey(brokerName, value.topicName), version);
      return { topics: found.map((f) => f.value) };
    },
    save(table, _dataVersion, changed) {
      for (const name of changed) {
        const tc = table.get(name);
        const key = topicConfigKey(brokerName, name);
        if (tc === undefined) writes.delete(key);
        else writes.put(key, asJson(tc));
      }
    },
    flush: () => writes.flush(),
  };
}

function groupStore(
  store: MetadataStore,
  brokerName: string,
  writes: ConditionalWriteBehind,
): SubscriptionGroupStore {
  return {
    async load() {
      const found = await listSubscriptionGroups(store, brokerName);
      if (found.length === 0) return undefined;
      for (const { value, version } of found)
        writes.seen(subscriptionGroupKey(brokerName, value.groupName), version);
      return found.map((f) => f.value as unknown as SubscriptionGroupConfig);
    },
    save(table, changed) {
      for (const name of changed) {
        const g = table.get(name);
        const key = subscriptionGroupKey(brokerName, name);
        if (g === undefined) writes.delete(key);
        else writes.put(key, asJson(g));
      }
    },
    flush: () => writes.flush(),
  };
}

function offsetStore(
  store: MetadataStore,
  brokerName: string,
  log: (line: string) => void,
): ConsumerOffsetStore {
  let warnedInvalid = false;
  return {
    load: () => listConsumerOffsets(store, brokerName),
    async save(_table, changed: readonly OffsetEntry[], removed: readonly OffsetQueue[]) {
      const valid = changed.filter((o) => Number.isSafeInteger(o.offset) && o.offset >= 0);
      if (valid.length < changed.length && !warnedInvalid) {
        warnedInvalid = true;
        log(`consumer offsets of ${brokerName}: negative or non-integer offsets are not stored`);
      }
      for (const part of chunks<ConsumerOffset>(valid, MAX_METADATA_BATCH_OPS)) {
        await writeConsumerOffsets(store, brokerName, part);
      }
      for (const part of chunks(removed, MAX_METADATA_BATCH_OPS)) {
        await deleteConsumerOffsets(store, brokerName, part);
      }
    },
  };
}

/** The stores of broker `brokerName` over `store` (which the caller opens and closes). */
export function metadataConfigStores(
  store: MetadataStore,
  brokerName: string,
  log: (line: string) => void = (line) => process.stderr.write(`stratus broker: ${line}\n`),
): MetadataConfigStores {
  const topicWrites = new ConditionalWriteBehind(store, `topic configs of ${brokerName}`, log);
  const groupWrites = new ConditionalWriteBehind(store, `subscription groups of ${brokerName}`, log);
  return {
    topics: topicStore(store, brokerName, topicWrites),
    groups: groupStore(store, brokerName, groupWrites),
    offsets: offsetStore(store, brokerName, log),
    description: `the MetadataStore as ${brokerName}`,
    backlog: () => topicWrites.backlog + groupWrites.backlog,
    close() {
      topicWrites.close();
      groupWrites.close();
    },
  };
}
