/**
 * Consumer offsets per group, topic and queue. Commits land in memory and are persisted through a
 * ConsumerOffsetStore (config/consumerOffset.json by default, or the MetadataStore) every
 * flushConsumerOffsetInterval and on shutdown: many commits of one queue become one write. What changed
 * since the last successful save is tracked per queue, so a failed save is offered again on the next tick.
 */
import type { BrokerConfig } from "./broker-config.js";
import {
  type ConsumerOffsetStore,
  fileConsumerOffsetStore,
  type OffsetEntry,
  type OffsetQueue,
  TOPIC_GROUP_SEPARATOR,
} from "./config-stores.js";

/** Attempts of the final save at shutdown, a second apart, before giving up (the store is down). */
const SHUTDOWN_SAVE_ATTEMPTS = 3;
const SHUTDOWN_RETRY_MS = 1000;

function tableKey(topic: string, group: string): string {
  return topic + TOPIC_GROUP_SEPARATOR + group;
}

function splitKey(key: string): { topic: string; group: string } {
  const i = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
  return { topic: key.slice(0, i), group: key.slice(i + 1) };
}

function queueIdOf(q: OffsetQueue): string {
  return `${tableKey(q.topic, q.group)}\u0000${q.queueId}`;
}

export class ConsumerOffsetManager {
  /** key `topic@group` → queueId → offset. */
  private readonly offsetTable = new Map<string, Map<number, number>>();
  private dirty = false;
  /** Queues committed since the last successful save. */
  private readonly changed = new Map<string, OffsetQueue>();
  /** Queues removed since the last successful save. */
  private readonly removed = new Map<string, OffsetQueue>();
  private saving: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The last failed save, if the latest one failed (cleared by a success). */
  lastPersistError: unknown;

  constructor(
    private readonly config: BrokerConfig,
    private readonly store: ConsumerOffsetStore = fileConsumerOffsetStore(config.storePathRootDir),
  ) {}

  /** Done before this returns when the store answers synchronously (files); await it otherwise. */
  load(): Promise<void> {
    const loaded = this.store.load();
    if (loaded instanceof Promise) return loaded.then((entries) => this.apply(entries));
    this.apply(loaded);
    return Promise.resolve();
  }

  private apply(entries: readonly OffsetEntry[]): void {
    for (const e of entries) this.queues(e.topic, e.group).set(e.queueId, e.offset);
  }

  private queues(topic: string, group: string): Map<number, number> {
    const key = tableKey(topic, group);
    let m = this.offsetTable.get(key);
    if (!m) {
      m = new Map();
      this.offsetTable.set(key, m);
    }
    return m;
  }

  start(): void {
    this.timer = setInterval(() => void this.persist(), this.config.flushConsumerOffsetInterval);
    this.timer.unref();
  }

  /** Stops the timer and saves what is left (retried a few times); rejects when it could not. */
  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (let attempt = 1; ; attempt++) {
      await this.persist();
      if (this.lastPersistError === undefined) return;
      if (attempt >= SHUTDOWN_SAVE_ATTEMPTS) throw this.lastPersistError;
      await new Promise((r) => setTimeout(r, SHUTDOWN_RETRY_MS));
    }
  }

  commitOffset(group: string, topic: string, queueId: number, offset: number): void {
    this.queues(topic, group).set(queueId, offset);
    const q = { group, topic, queueId };
    this.changed.set(queueIdOf(q), q);
    this.removed.delete(queueIdOf(q));
    this.dirty = true;
  }

  /** The stored offset, or -1 when none. */
  queryOffset(group: string, topic: string, queueId: number): number {
    return this.offsetTable.get(tableKey(topic, group))?.get(queueId) ?? -1;
  }

  /** Topics the group has stored offsets for. */
  whichTopicByConsumer(group: string): string[] {
    return [...this.offsetTable.keys()]
      .map(splitKey)
      .filter((k) => k.group === group)
      .map((k) => k.topic);
  }

  /** Groups with stored offsets for the topic. */
  whichGroupByTopic(topic: string): string[] {
    return [...this.offsetTable.keys()]
      .map(splitKey)
      .filter((k) => k.topic === topic)
      .map((k) => k.group);
  }

  removeTopic(topic: string): void {
    this.removeWhere((k) => k.topic === topic);
  }

  removeGroup(group: string): void {
    this.removeWhere((k) => k.group === group);
  }

  private removeWhere(match: (k: { topic: string; group: string }) => boolean): void {
    for (const [key, queues] of [...this.offsetTable]) {
      const k = splitKey(key);
      if (!match(k)) continue;
      this.offsetTable.delete(key);
      for (const id of queues.keys()) {
        const q = { group: k.group, topic: k.topic, queueId: id };
        this.removed.set(queueIdOf(q), q);
        this.changed.delete(queueIdOf(q));
      }
    }
    this.dirty = true;
  }

  /**
   * Saves what changed since the last successful save. Never rejects: a failure is kept in
   * lastPersistError and its changes are offered again next time. Saves never overlap.
   */
  persist(): Promise<void> {
    if (this.saving) return this.saving.then(() => this.persist());
    if (!this.dirty) return Promise.resolve();
    const changed = [...this.changed.values()].map((q) => ({
      ...q,
      offset: this.queryOffset(q.group, q.topic, q.queueId),
    }));
    const removed = [...this.removed.values()];
    this.dirty = false;
    this.changed.clear();
    this.removed.clear();
    const onFailure = (e: unknown) => {
      this.lastPersistError = e;
      this.dirty = true;
      for (const q of changed) if (!this.removed.has(queueIdOf(q))) this.changed.set(queueIdOf(q), q);
      for (const q of removed) if (!this.changed.has(queueIdOf(q))) this.removed.set(queueIdOf(q), q);
    };
    let result: void | Promise<void>;
    try {
      result = this.store.save(this.offsetTable, changed, removed);
    } catch (e) {
      onFailure(e);
      return Promise.resolve();
    }
    if (!(result instanceof Promise)) {
      this.lastPersistError = undefined;
      return Promise.resolve();
    }
    const saving = result.then(() => {
      this.lastPersistError = undefined;
    }, onFailure);
    this.saving = saving.finally(() => {
      this.saving = undefined;
    });
    return this.saving;
  }
}
