/** Subscription-group configs (retry queues, max reconsume times, ...), persisted to config/subscriptionGroup.json. */
import { join } from "node:path";
import type { BrokerConfig } from "./broker-config.js";
import { readConfigFile, writeConfigFile } from "./config-file.js";

export interface SubscriptionGroupConfig {
  groupName: string;
  consumeEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeBroadcastEnable: boolean;
  consumeMessageOrderly: boolean;
  retryQueueNums: number;
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  notifyConsumerIdsChangedEnable: boolean;
  groupSysFlag: number;
  consumeTimeoutMinute: number;
}

export function defaultSubscriptionGroupConfig(groupName: string): SubscriptionGroupConfig {
  return {
    groupName,
    consumeEnable: true,
    consumeFromMinEnable: true,
    consumeBroadcastEnable: true,
    consumeMessageOrderly: false,
    retryQueueNums: 1,
    retryMaxTimes: 16,
    brokerId: 0,
    whichBrokerWhenConsumeSlowly: 1,
    notifyConsumerIdsChangedEnable: true,
    groupSysFlag: 0,
    consumeTimeoutMinute: 15,
  };
}

export class SubscriptionGroupManager {
  private readonly table = new Map<string, SubscriptionGroupConfig>();
  private readonly path: string;

  constructor(private readonly config: BrokerConfig) {
    this.path = join(config.storePathRootDir, "config", "subscriptionGroup.json");
  }

  load(): void {
    const file = readConfigFile(this.path, (t) => JSON.parse(t) as Record<string, SubscriptionGroupConfig>);
    for (const [name, g] of Object.entries(file ?? {}))
      this.table.set(name, { ...defaultSubscriptionGroupConfig(name), ...g });
  }

  /** The group's config, auto-created with defaults when autoCreateSubscriptionGroup is on. */
  findSubscriptionGroupConfig(group: string): SubscriptionGroupConfig | undefined {
    const found = this.table.get(group);
    if (found || !this.config.autoCreateSubscriptionGroup) return found;
    const created = defaultSubscriptionGroupConfig(group);
    this.table.set(group, created);
    this.persist();
    return created;
  }

  get(group: string): SubscriptionGroupConfig | undefined {
    return this.table.get(group);
  }

  update(config: SubscriptionGroupConfig): void {
    this.table.set(config.groupName, config);
    this.persist();
  }

  delete(group: string): boolean {
    const existed = this.table.delete(group);
    if (existed) this.persist();
    return existed;
  }

  all(): SubscriptionGroupConfig[] {
    return [...this.table.values()];
  }

  private persist(): void {
    writeConfigFile(this.path, JSON.stringify(Object.fromEntries(this.table), null, 1));
  }
}
