/**
 * The broker's topic table: system topics at start, auto-creation from TBW102 (PERM_INHERIT), explicit
 * create/update/delete, persisted through a TopicConfigStore (config/topics.json by default, or the
 * MetadataStore). Every change bumps the DataVersion and fires onChange (the broker re-registers with the
 * NameServers).
 */
import type { Clock } from "../common/clock.js";
import type { DataVersion } from "../protocol/data-version.js";
import { isInherited, PermName } from "../protocol/perm-name.js";
import type { TopicConfig } from "../protocol/topic-config.js";
import type { BrokerConfig } from "./broker-config.js";
import { fileTopicConfigStore, type PersistedTopics, type TopicConfigStore } from "./config-stores.js";
import { getRetryTopic, TopicValidator } from "./topic-validator.js";

export function newTopicConfig(topicName: string, queueNums = 16, perm = 6): TopicConfig {
  return {
    topicName,
    readQueueNums: queueNums,
    writeQueueNums: queueNums,
    perm,
    topicFilterType: "SINGLE_TAG",
    topicSysFlag: 0,
    order: false,
    attributes: {},
  };
}

export class TopicConfigManager {
  private readonly table = new Map<string, TopicConfig>();
  readonly dataVersion: DataVersion;
  private readonly listeners: Array<(changed: TopicConfig[]) => void> = [];

  constructor(
    private readonly config: BrokerConfig,
    private readonly clock: Clock,
    private readonly store: TopicConfigStore = fileTopicConfigStore(config.storePathRootDir),
  ) {
    this.dataVersion = { timestamp: clock.nowMs(), counter: 0, stateVersion: 0 };
  }

  /**
   * Load the persisted table, then make sure the system topics exist. Done before this returns when the
   * store answers synchronously (files); await it otherwise.
   */
  load(): Promise<void> {
    const persisted = this.store.load();
    if (persisted instanceof Promise) return persisted.then((p) => this.apply(p));
    this.apply(persisted);
    return Promise.resolve();
  }

  private apply(persisted: PersistedTopics | undefined): void {
    for (const tc of persisted?.topics ?? []) this.table.set(tc.topicName, tc);
    if (persisted?.dataVersion) Object.assign(this.dataVersion, persisted.dataVersion);
    const added: string[] = [];
    for (const tc of this.systemTopics()) {
      if (this.table.has(tc.topicName)) continue;
      this.table.set(tc.topicName, tc);
      added.push(tc.topicName);
    }
    this.store.save(this.table, this.dataVersion, added);
  }

  /** Resolves once every change so far is persisted. */
  flush(): Promise<void> {
    return this.store.flush();
  }

  private systemTopics(): TopicConfig[] {
    const c = this.config;
    const rw = PermName.PERM_READ | PermName.PERM_WRITE;
    const topics = [
      newTopicConfig(TopicValidator.RMQ_SYS_SELF_TEST_TOPIC, 1),
      newTopicConfig(TopicValidator.RMQ_SYS_BENCHMARK_TOPIC, 1024),
      newTopicConfig(c.brokerClusterName, 16, PermName.PERM_INHERIT | (c.clusterTopicEnable ? rw : 0)),
      newTopicConfig(c.brokerName, 1, PermName.PERM_INHERIT | (c.brokerTopicEnable ? rw : 0)),
      newTopicConfig(TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT, 1),
      newTopicConfig(TopicValidator.RMQ_SYS_SCHEDULE_TOPIC, 18),
      newTopicConfig(`${c.brokerClusterName}_REPLY_TOPIC`, 1),
      newTopicConfig(TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC, 1),
      newTopicConfig(TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC, 1),
    ];
    if (c.autoCreateTopicEnable) {
      topics.push(newTopicConfig(TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC, c.defaultTopicQueueNums, 7));
    }
    if (c.traceTopicEnable) topics.push(newTopicConfig(c.msgTraceTopicName, 1));
    return topics;
  }

  onChange(listener: (changed: TopicConfig[]) => void): void {
    this.listeners.push(listener);
  }

  select(topic: string): TopicConfig | undefined {
    return this.table.get(topic);
  }

  all(): TopicConfig[] {
    return [...this.table.values()];
  }

  /** Create or replace a topic's config. */
  update(tc: TopicConfig): void {
    this.table.set(tc.topicName, tc);
    this.changed([tc], [tc.topicName]);
  }

  delete(topic: string): boolean {
    const existed = this.table.delete(topic);
    if (existed) this.changed([], [topic]);
    return existed;
  }

  /**
   * Auto-create `topic` from the template `defaultTopic` when the template exists here with PERM_INHERIT
   * (Apache createTopicInSendMessageMethod). Returns the config, or undefined when creation is not allowed.
   */
  createTopicInSendMessageMethod(
    topic: string,
    defaultTopic: string,
    queueNums: number,
    topicSysFlag: number,
  ) {
    const existing = this.table.get(topic);
    if (existing) return existing;
    const template = this.table.get(defaultTopic);
    if (!template || !isInherited(template.perm)) return undefined;
    if (defaultTopic === TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC && !this.config.autoCreateTopicEnable) {
      return undefined;
    }
    const tc: TopicConfig = {
      ...newTopicConfig(
        topic,
        Math.max(1, Math.min(queueNums, template.writeQueueNums)),
        template.perm & ~PermName.PERM_INHERIT,
      ),
      topicFilterType: template.topicFilterType,
      topicSysFlag,
    };
    this.update(tc);
    return tc;
  }

  /** Retry / DLQ topics are created on demand with `queueNums` queues and read-write perm. */
  createTopicIfAbsent(
    topic: string,
    queueNums: number,
    perm = PermName.PERM_READ | PermName.PERM_WRITE,
  ): TopicConfig {
    const existing = this.table.get(topic);
    if (existing) return existing;
    const tc = newTopicConfig(topic, queueNums, perm);
    this.update(tc);
    return tc;
  }

  createRetryTopic(group: string, retryQueueNums: number): TopicConfig {
    return this.createTopicIfAbsent(getRetryTopic(group), retryQueueNums);
  }

  private changed(changed: TopicConfig[], names: readonly string[]): void {
    this.dataVersion.counter++;
    this.dataVersion.timestamp = this.clock.nowMs();
    this.store.save(this.table, this.dataVersion, names);
    for (const l of this.listeners) l(changed);
  }
}
