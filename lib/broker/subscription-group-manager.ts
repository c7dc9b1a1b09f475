/**
 * Subscription-group configs (retry queues, max reconsume times, ...), persisted through a
 * SubscriptionGroupStore (config/subscriptionGroup.json by default, or the MetadataStore).
 */
import { SUBSCRIPTION_GROUP_DEFAULTS, type SubscriptionGroupConfig } from "../protocol/body/admin-bodies.js";
import type { BrokerConfig } from "./broker-config.js";
import { fileSubscriptionGroupStore, type SubscriptionGroupStore } from "./config-stores.js";

export type { SubscriptionGroupConfig };

export function defaultSubscriptionGroupConfig(groupName: string): SubscriptionGroupConfig {
  return { groupName, ...SUBSCRIPTION_GROUP_DEFAULTS };
}

export class SubscriptionGroupManager {
  private readonly table = new Map<string, SubscriptionGroupConfig>();

  constructor(
    private readonly config: BrokerConfig,
    private readonly store: SubscriptionGroupStore = fileSubscriptionGroupStore(config.storePathRootDir),
  ) {}

  /** Done before this returns when the store answers synchronously (files); await it otherwise. */
  load(): Promise<void> {
    const persisted = this.store.load();
    if (persisted instanceof Promise) return persisted.then((p) => this.apply(p));
    this.apply(persisted);
    return Promise.resolve();
  }

  private apply(groups: SubscriptionGroupConfig[] | undefined): void {
    for (const g of groups ?? [])
      this.table.set(g.groupName, { ...defaultSubscriptionGroupConfig(g.groupName), ...g });
  }

  /** Resolves once every change so far is persisted. */
  flush(): Promise<void> {
    return this.store.flush();
  }

  /** The group's config, auto-created with defaults when autoCreateSubscriptionGroup is on. */
  findSubscriptionGroupConfig(group: string): SubscriptionGroupConfig | undefined {
    const found = this.table.get(group);
    if (found || !this.config.autoCreateSubscriptionGroup) return found;
    const created = defaultSubscriptionGroupConfig(group);
    this.table.set(group, created);
    this.store.save(this.table, [group]);
    return created;
  }

  get(group: string): SubscriptionGroupConfig | undefined {
    return this.table.get(group);
  }

  update(config: SubscriptionGroupConfig): void {
    this.table.set(config.groupName, config);
    this.store.save(this.table, [config.groupName]);
  }

  delete(group: string): boolean {
    const existed = this.table.delete(group);
    if (existed) this.store.save(this.table, [group]);
    return existed;
  }

  all(): SubscriptionGroupConfig[] {
    return [...this.table.values()];
  }
}
