/**
 * Where a broker keeps its topic table, subscription groups and consumer offsets. The managers
 * (topic-config-manager.ts, ...) hold the tables in memory and answer from them; a store only loads them
 * at start and persists changes. Two implementations:
 * - files under <storePathRootDir>/config (Apache's topics.json, subscriptionGroup.json, consumerOffset.json
 *   shape), synchronous, as before: this broker's own disk;
 * - the MetadataStore, keyed by brokerName (metadata-config-stores.ts): a restarted or replacement broker
 *   with the same brokerName, even on an empty disk, serves the same topics, permissions, groups and offsets.
 * Stores answer synchronously when they can (files), so callers that do not await keep working.
 */
import { join } from "node:path";
import type { DataVersion } from "../protocol/data-version.js";
import type { TopicConfig } from "../protocol/topic-config.js";
import { readConfigFile, writeConfigFile } from "./config-file.js";
import type { SubscriptionGroupConfig } from "./subscription-group-manager.js";

export type MaybePromise<T> = T | Promise<T>;

export interface PersistedTopics {
  topics: TopicConfig[];
  /** The DataVersion the table had, when the store keeps one (files do; a new process may start afresh). */
  dataVersion?: DataVersion | undefined;
}

export interface TopicConfigStore {
  /** The persisted table; undefined when nothing was persisted yet. */
  load(): MaybePromise<PersistedTopics | undefined>;
  /** Called after every change with the whole table and the names that changed (updated or deleted). */
  save(table: ReadonlyMap<string, TopicConfig>, dataVersion: DataVersion, changed: readonly string[]): void;
  /** Resolves once every save so far is durable. */
  flush(): Promise<void>;
}

export interface SubscriptionGroupStore {
  load(): MaybePromise<SubscriptionGroupConfig[] | undefined>;
  save(table: ReadonlyMap<string, SubscriptionGroupConfig>, changed: readonly string[]): void;
  flush(): Promise<void>;
}

export interface OffsetQueue {
  group: string;
  topic: string;
  queueId: number;
}

export interface OffsetEntry extends OffsetQueue {
  offset: number;
}

/** Consumer offsets by `topic@group` key, then queueId. */
export type OffsetTable = ReadonlyMap<string, ReadonlyMap<number, number>>;

export interface ConsumerOffsetStore {
  load(): MaybePromise<OffsetEntry[]>;
  /**
   * Persists the offsets that changed since the last successful save and forgets `removed` queues. A
   * rejection means nothing of it is known to be durable; the caller offers the same changes again.
   */
  save(
    table: OffsetTable,
    changed: readonly OffsetEntry[],
    removed: readonly OffsetQueue[],
  ): MaybePromise<void>;
}

export interface BrokerConfigStores {
  readonly topics: TopicConfigStore;
  readonly groups: SubscriptionGroupStore;
  readonly offsets: ConsumerOffsetStore;
  /** What they persist to, for logs ("files under ...", "MetadataStore as broker-a"). */
  readonly description: string;
}

export const TOPIC_GROUP_SEPARATOR = "@";

/** Waits for `flushes` up to `ms`; false (and the flushes go on in the background) when they took longer. */
export async function flushWithin(ms: number, flushes: readonly Promise<void>[]): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([Promise.all(flushes).then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// --- files -----------------------------------------------------------------------------------------------

interface TopicsFile {
  dataVersion: DataVersion;
  topicConfigTable: Record<string, TopicConfig>;
}

function configDir(storePathRootDir: string): string {
  return join(storePathRootDir, "config");
}

export function fileTopicConfigStore(storePathRootDir: string): TopicConfigStore {
  const path = join(configDir(storePathRootDir), "topics.json");
  return {
    load() {
      const file = readConfigFile<TopicsFile>(path, (t) => JSON.parse(t) as TopicsFile);
      if (file === undefined) return undefined;
      return { topics: Object.values(file.topicConfigTable ?? {}), dataVersion: file.dataVersion };
    },
    save(table, dataVersion) {
      const file: TopicsFile = { dataVersion, topicConfigTable: Object.fromEntries(table) };
      writeConfigFile(path, JSON.stringify(file, null, 1));
    },
    flush: async () => {},
  };
}

export function fileSubscriptionGroupStore(storePathRootDir: string): SubscriptionGroupStore {
  const path = join(configDir(storePathRootDir), "subscriptionGroup.json");
  return {
    load() {
      const file = readConfigFile(path, (t) => JSON.parse(t) as Record<string, SubscriptionGroupConfig>);
      if (file === undefined) return undefined;
      return Object.entries(file).map(([groupName, g]) => ({ ...g, groupName }));
    },
    save(table) {
      writeConfigFile(path, JSON.stringify(Object.fromEntries(table), null, 1));
    },
    flush: async () => {},
  };
}

export function fileConsumerOffsetStore(storePathRootDir: string): ConsumerOffsetStore {
  const path = join(configDir(storePathRootDir), "consumerOffset.json");
  return {
    load() {
      const file = readConfigFile(
        path,
        (t) => JSON.parse(t) as { offsetTable?: Record<string, Record<string, number>> },
      );
      const out: OffsetEntry[] = [];
      for (const [key, queues] of Object.entries(file?.offsetTable ?? {})) {
        const i = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
        const topic = key.slice(0, i);
        const group = key.slice(i + 1);
        for (const [q, offset] of Object.entries(queues))
          out.push({ group, topic, queueId: Number(q), offset });
      }
      return out;
    },
    save(table) {
      const offsetTable: Record<string, Record<string, number>> = {};
      for (const [key, m] of table) offsetTable[key] = Object.fromEntries(m);
      writeConfigFile(path, JSON.stringify({ offsetTable }));
    },
  };
}

/** The broker's own disk, as Apache keeps them. */
export function fileConfigStores(storePathRootDir: string): BrokerConfigStores {
  return {
    topics: fileTopicConfigStore(storePathRootDir),
    groups: fileSubscriptionGroupStore(storePathRootDir),
    offsets: fileConsumerOffsetStore(storePathRootDir),
    description: `files under ${configDir(storePathRootDir)}`,
  };
}
