/**
 * Consumer offsets per group, topic and queue. Updates land in memory and are persisted to
 * config/consumerOffset.json at a bounded interval and on shutdown.
 */
import { join } from "node:path";
import type { BrokerConfig } from "./broker-config.js";
import { readConfigFile, writeConfigFile } from "./config-file.js";

const TOPIC_GROUP_SEPARATOR = "@";

export class ConsumerOffsetManager {
  /** key `topic@group` → queueId → offset. */
  private readonly offsetTable = new Map<string, Map<number, number>>();
  private readonly path: string;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly config: BrokerConfig) {
    this.path = join(config.storePathRootDir, "config", "consumerOffset.json");
  }

  load(): void {
    const file = readConfigFile(
      this.path,
      (t) => JSON.parse(t) as { offsetTable?: Record<string, Record<string, number>> },
    );
    for (const [key, queues] of Object.entries(file?.offsetTable ?? {})) {
      const m = new Map<number, number>();
      for (const [q, off] of Object.entries(queues)) m.set(Number(q), off);
      this.offsetTable.set(key, m);
    }
  }

  start(): void {
    this.timer = setInterval(() => this.persist(), this.config.flushConsumerOffsetInterval);
    this.timer.unref();
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.persist();
  }

  commitOffset(group: string, topic: string, queueId: number, offset: number): void {
    const key = topic + TOPIC_GROUP_SEPARATOR + group;
    let m = this.offsetTable.get(key);
    if (!m) {
      m = new Map();
      this.offsetTable.set(key, m);
    }
    m.set(queueId, offset);
    this.dirty = true;
  }

  /** The stored offset, or -1 when none. */
  queryOffset(group: string, topic: string, queueId: number): number {
    return this.offsetTable.get(topic + TOPIC_GROUP_SEPARATOR + group)?.get(queueId) ?? -1;
  }

  /** Topics the group has stored offsets for. */
  whichTopicByConsumer(group: string): string[] {
    const out: string[] = [];
    for (const key of this.offsetTable.keys()) {
      const i = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      if (key.slice(i + 1) === group) out.push(key.slice(0, i));
    }
    return out;
  }

  /** Groups with stored offsets for the topic. */
  whichGroupByTopic(topic: string): string[] {
    const out: string[] = [];
    for (const key of this.offsetTable.keys()) {
      const i = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      if (key.slice(0, i) === topic) out.push(key.slice(i + 1));
    }
    return out;
  }

  removeTopic(topic: string): void {
    for (const key of [...this.offsetTable.keys()]) {
      if (key.slice(0, key.lastIndexOf(TOPIC_GROUP_SEPARATOR)) === topic) this.offsetTable.delete(key);
    }
    this.dirty = true;
  }

  removeGroup(group: string): void {
    for (const key of [...this.offsetTable.keys()]) {
      if (key.slice(key.lastIndexOf(TOPIC_GROUP_SEPARATOR) + 1) === group) this.offsetTable.delete(key);
    }
    this.dirty = true;
  }

  persist(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const offsetTable: Record<string, Record<string, number>> = {};
    for (const [key, m] of this.offsetTable) offsetTable[key] = Object.fromEntries(m);
    writeConfigFile(this.path, JSON.stringify({ offsetTable }));
  }
}
