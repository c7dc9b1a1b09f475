/**
 * The route table of stateless NameServers: everything lives in the MetadataStore (docs/adr/0005), so any
 * number of NameServers over one store answer the same routes, and a restarted NameServer loses nothing.
 *
 * - REGISTER_BROKER writes the broker's QueueData (route items, then the per-broker index), then its lease
 *   (expiring heartbeatTimeoutMillis after the registration); heartbeats renew the lease.
 * - Routes are the stored QueueData joined with the live leases: a broker whose lease lapses leaves every
 *   route at once, on every NameServer, whether or not anyone deletes its items. The expiry sweep only
 *   cleans lapsed leases up (and closes the channels registered here).
 * - Reads go through caches with a short TTL (ROUTE_CACHE_TTL_MS); writes made here invalidate what they
 *   touch. Registration reads are always fresh.
 * Apache's registration rules are those of MemoryRouteInfoManager (see there); the lease of a broker id
 * is its entry in brokerAddrs and brokerLiveTable at once.
 */
import type { Clock } from "../common/clock.js";
import { StratusError } from "../common/errors.js";
import {
  MAX_NAMESRV_BROKERS,
  MAX_NAMESRV_ROUTE_CACHE_ENTRIES,
  MAX_NAMESRV_TOPICS,
} from "../common/limits.js";
import type { MetadataStore } from "../ports/metadata-store.js";
import type { ClusterInfo, TopicList } from "../protocol/cluster-info.js";
import { type DataVersion, dataVersionEquals } from "../protocol/data-version.js";
import type { BrokerIdentityHeader } from "../protocol/namesrv-headers.js";
import { PermName } from "../protocol/perm-name.js";
import { MASTER_ID, type QueueData, type TopicRouteData } from "../protocol/route-data.js";
import { LeaseTable } from "./lease-table.js";
import { DEFAULT_BROKER_CHANNEL_EXPIRED_TIME_MS } from "./memory-route-info-manager.js";
import {
  listBrokerTopics,
  listTopicRoute,
  type NamesrvLease,
  type StoredLease,
  sameQueueData,
  writeBrokerTopics,
} from "./namesrv-records.js";
import type {
  BrokerChannel,
  BrokerRegistration,
  RegisterBrokerResult,
  RouteInfoManager,
  UnitTopicFilter,
} from "./route-info-manager.js";
import {
  type BrokerGroup,
  brokerGroups,
  clusterInfoOf,
  liveLeases,
  matchesUnitFilter,
  systemTopicListOf,
  topicRouteOf,
} from "./route-views.js";
import { TtlCache } from "./ttl-cache.js";

/** How long a NameServer answers from what it read before reading the MetadataStore again. */
export const ROUTE_CACHE_TTL_MS = 1_000;
/** How long cached data may still be served while the MetadataStore cannot be read. */
export const ROUTE_CACHE_STALE_IF_ERROR_MS = 60_000;
/** Brokers whose topic index is read at once when listing every topic. */
const TOPIC_LIST_CONCURRENCY = 16;

export interface MetadataRouteInfoOptions {
  store: MetadataStore;
  clock: Clock;
  /** Lease length for brokers that do not send heartbeatTimeoutMillis. */
  brokerChannelExpiredTimeMs?: number;
  /** 5.x deleteTopicWithBrokerRegistration: a master's registration removes its topics it no longer has. */
  deleteTopicWithBrokerRegistration?: boolean;
  cacheTtlMs?: number;
}

export class MetadataRouteInfoManager implements RouteInfoManager {
  private readonly store: MetadataStore;
  private readonly clock: Clock;
  private readonly deleteTopicWithRegistration: boolean;
  private readonly leases: LeaseTable;
  private readonly routeCache: TtlCache<string, QueueData[]>;
  private readonly topicsCache: TtlCache<string, Map<string, QueueData>>;

  constructor(options: MetadataRouteInfoOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.deleteTopicWithRegistration = options.deleteTopicWithBrokerRegistration ?? false;
    const ttl = options.cacheTtlMs ?? ROUTE_CACHE_TTL_MS;
    const stale = ROUTE_CACHE_STALE_IF_ERROR_MS;
    const defaultTimeoutMs = options.brokerChannelExpiredTimeMs ?? DEFAULT_BROKER_CHANNEL_EXPIRED_TIME_MS;
    this.leases = new LeaseTable(this.store, this.clock, defaultTimeoutMs, ttl, stale);
    this.routeCache = new TtlCache(this.clock, ttl, MAX_NAMESRV_ROUTE_CACHE_ENTRIES, stale);
    this.topicsCache = new TtlCache(this.clock, ttl, MAX_NAMESRV_BROKERS, stale);
  }

  // --- registration ------------------------------------------------------------------------------------

  async registerBroker(reg: BrokerRegistration): Promise<RegisterBrokerResult | undefined> {
    const table = reg.topicConfigWrapper.topicConfigTable;
    if (table.size > MAX_NAMESRV_TOPICS) {
      throw new StratusError("LIMIT_EXCEEDED", `more than ${MAX_NAMESRV_TOPICS} topics in one registration`);
    }
    const now = this.clock.nowMs();
    const group = await this.leases.fresh(reg);
    let live = liveLeases(group, now);
    if (live.length === 0) await this.checkBrokerLimit(now);
    const moved = (l: StoredLease) =>
      l.lease.brokerAddr === reg.brokerAddr && l.lease.brokerId !== reg.brokerId;
    for (const l of live.filter(moved)) await this.leases.delete(l);
    live = live.filter((l) => !moved(l));
    const existing = live.find((l) => l.lease.brokerId === reg.brokerId);
    if (this.isStaleRegistration(reg, existing)) return {};
    if (existing === undefined && table.size === 1) return undefined;
    const versionChanged =
      existing === undefined ||
      existing.lease.brokerAddr !== reg.brokerAddr ||
      !dataVersionEquals(existing.lease.dataVersion, reg.topicConfigWrapper.dataVersion);
    const isMaster = reg.brokerId === MASTER_ID;
    const ids = [...live.map((l) => l.lease.brokerId), reg.brokerId];
    const isPrimeSlave =
      reg.enableActingMaster !== undefined && !isMaster && reg.brokerId === Math.min(...ids);
    if (isMaster || isPrimeSlave) {
      const how = {
        registerFirst: existing === undefined,
        versionChanged,
        isPrimeSlave,
        fullSync: live.length === 0,
      };
      await this.updateTopics(reg, how);
    }
    const current = group.find((l) => l.lease.brokerId === reg.brokerId);
    await this.leases.write(this.leaseOf(reg), current, reg.channel);
    if (isMaster) return {};
    const master = live.find((l) => l.lease.brokerId === MASTER_ID);
    return master === undefined
      ? {}
      : { haServerAddr: master.lease.haServerAddr, masterAddr: master.lease.brokerAddr };
  }

  private leaseOf(reg: BrokerRegistration): NamesrvLease {
    return {
      clusterName: reg.clusterName,
      brokerName: reg.brokerName,
      brokerId: reg.brokerId,
      brokerAddr: reg.brokerAddr,
      haServerAddr: reg.haServerAddr,
      zoneName: reg.zoneName,
      enableActingMaster: reg.enableActingMaster === true,
      instanceId: reg.brokerAddr,
      dataVersion: { ...reg.topicConfigWrapper.dataVersion },
      heartbeatTimeoutMillis: reg.heartbeatTimeoutMillis ?? this.leases.defaultTimeoutMs,
      oldVersionBroker: reg.enableActingMaster === undefined,
      filterServerList: [...reg.filterServerList],
    };
  }

  private async checkBrokerLimit(now: number): Promise<void> {
    if (liveLeases(await this.leases.cached(), now).length >= MAX_NAMESRV_BROKERS) {
      throw new StratusError("LIMIT_EXCEEDED", `more than ${MAX_NAMESRV_BROKERS} live brokers`);
    }
  }

  /** Another address holds this brokerId with a newer stateVersion: the newcomer is ignored. */
  private isStaleRegistration(reg: BrokerRegistration, existing: StoredLease | undefined): boolean {
    return (
      existing !== undefined &&
      existing.lease.brokerAddr !== reg.brokerAddr &&
      existing.lease.dataVersion.stateVersion > reg.topicConfigWrapper.dataVersion.stateVersion
    );
  }

  private async updateTopics(
    reg: BrokerRegistration,
    how: { registerFirst: boolean; versionChanged: boolean; isPrimeSlave: boolean; fullSync: boolean },
  ): Promise<void> {
    const { topicConfigTable } = reg.topicConfigWrapper;
    const index = await listBrokerTopics(this.store, reg.brokerName);
    const changes = new Map<string, QueueData | undefined>();
    for (const tc of topicConfigTable.values()) {
      const current = index.get(tc.topicName);
      if (!how.registerFirst && !how.versionChanged && current !== undefined) continue;
      const queueData: QueueData = {
        brokerName: reg.brokerName,
        readQueueNums: tc.readQueueNums,
        writeQueueNums: tc.writeQueueNums,
        perm: how.isPrimeSlave ? tc.perm & ~PermName.PERM_WRITE : tc.perm,
        topicSysFlag: tc.topicSysFlag,
      };
      if (current === undefined || !sameQueueData(current, queueData)) changes.set(tc.topicName, queueData);
    }
    if (how.fullSync || (this.deleteTopicWithRegistration && how.versionChanged)) {
      for (const topic of index.keys()) if (!topicConfigTable.has(topic)) changes.set(topic, undefined);
    }
    await this.writeTopics(reg.brokerName, changes);
  }

  private async writeTopics(brokerName: string, changes: ReadonlyMap<string, QueueData | undefined>) {
    try {
      await writeBrokerTopics(this.store, brokerName, changes);
    } finally {
      this.topicsCache.invalidate(brokerName);
      for (const topic of changes.keys()) this.routeCache.invalidate(topic);
    }
  }

  async unregisterBroker(broker: BrokerIdentityHeader): Promise<void> {
    for (const l of await this.leases.fresh(broker)) {
      if (l.lease.brokerAddr === broker.brokerAddr) await this.leases.delete(l);
    }
  }

  // --- liveness ----------------------------------------------------------------------------------------

  async isBrokerTopicConfigChanged(
    clusterName: string,
    brokerAddr: string,
    dv: DataVersion,
  ): Promise<boolean> {
    const l = await this.leases.findLive(clusterName, brokerAddr);
    return l === undefined || !dataVersionEquals(l.lease.dataVersion, dv);
  }

  async queryBrokerTopicConfig(clusterName: string, brokerAddr: string): Promise<DataVersion | undefined> {
    const l = await this.leases.findLive(clusterName, brokerAddr);
    return l === undefined ? undefined : { ...l.lease.dataVersion };
  }

  updateBrokerInfoUpdateTimestamp(clusterName: string, brokerAddr: string): Promise<boolean> {
    return this.leases.renew(clusterName, brokerAddr);
  }

  scanNotActiveBroker(): Promise<string[]> {
    return this.leases.sweep();
  }

  onChannelDestroy(channel: BrokerChannel): Promise<void> {
    return this.leases.channelClosed(channel);
  }

  // --- reads -------------------------------------------------------------------------------------------

  private async groups(): Promise<Map<string, BrokerGroup>> {
    return brokerGroups(liveLeases(await this.leases.cached(), this.clock.nowMs()));
  }

  private cachedRoute(topic: string): Promise<QueueData[]> {
    return this.routeCache.get(topic, () => listTopicRoute(this.store, topic));
  }

  private cachedTopics(brokerName: string): Promise<Map<string, QueueData>> {
    return this.topicsCache.get(brokerName, () => listBrokerTopics(this.store, brokerName));
  }

  /** topic -> the first live broker group's QueueData of it, over the given broker groups. */
  private async topicsOf(brokerNames: readonly string[]): Promise<Map<string, QueueData>> {
    const out = new Map<string, QueueData>();
    for (let i = 0; i < brokerNames.length; i += TOPIC_LIST_CONCURRENCY) {
      const batch = brokerNames.slice(i, i + TOPIC_LIST_CONCURRENCY);
      for (const topics of await Promise.all(batch.map((n) => this.cachedTopics(n)))) {
        for (const [topic, q] of topics) if (!out.has(topic)) out.set(topic, q);
      }
    }
    return out;
  }

  async pickupTopicRouteData(topic: string): Promise<TopicRouteData | undefined> {
    const [groups, queues] = await Promise.all([this.groups(), this.cachedRoute(topic)]);
    return topicRouteOf(queues, groups);
  }

  async getAllClusterInfo(): Promise<ClusterInfo> {
    return clusterInfoOf(await this.groups());
  }

  async getAllTopicList(): Promise<string[]> {
    return [...(await this.topicsOf([...(await this.groups()).keys()])).keys()];
  }

  async getTopicsByCluster(clusterName: string): Promise<string[]> {
    const names = [...(await this.groups()).values()]
      .filter((g) => g.data.cluster === clusterName)
      .map((g) => g.data.brokerName);
    return [...(await this.topicsOf(names)).keys()];
  }

  async getSystemTopicList(): Promise<TopicList> {
    return systemTopicListOf(await this.groups());
  }

  async getUnitTopicList(filter: UnitTopicFilter): Promise<string[]> {
    const topics = await this.topicsOf([...(await this.groups()).keys()]);
    return [...topics].filter(([, q]) => matchesUnitFilter(q.topicSysFlag, filter)).map(([t]) => t);
  }

  // --- topic administration ----------------------------------------------------------------------------

  async deleteTopic(topic: string, clusterName?: string): Promise<void> {
    let names = (await listTopicRoute(this.store, topic)).map((q) => q.brokerName);
    if (clusterName !== undefined) {
      const groups = await this.groups();
      names = names.filter((n) => groups.get(n)?.data.cluster === clusterName);
    }
    for (const name of names) await this.writeTopics(name, new Map([[topic, undefined]]));
  }

  async registerTopic(topic: string, queueDatas: readonly QueueData[]): Promise<void> {
    if (queueDatas.length === 0) return;
    const groups = await this.groups();
    const existing = await listTopicRoute(this.store, topic);
    if (existing.some((q) => groups.has(q.brokerName))) return;
    if (!queueDatas.every((q) => groups.has(q.brokerName))) return;
    for (const q of queueDatas) await this.writeTopics(q.brokerName, new Map([[topic, { ...q }]]));
  }

  async wipeWritePermOfBroker(brokerName: string): Promise<number> {
    return this.operateWritePerm(brokerName, (perm) => perm & ~PermName.PERM_WRITE);
  }

  async addWritePermOfBroker(brokerName: string): Promise<number> {
    return this.operateWritePerm(brokerName, () => PermName.PERM_READ | PermName.PERM_WRITE);
  }

  private async operateWritePerm(brokerName: string, change: (perm: number) => number): Promise<number> {
    if (!(await this.groups()).has(brokerName)) return 0;
    const index = await listBrokerTopics(this.store, brokerName);
    const changes = new Map<string, QueueData>();
    for (const [topic, q] of index) {
      const perm = change(q.perm);
      if (perm !== q.perm) changes.set(topic, { ...q, perm });
    }
    await this.writeTopics(brokerName, changes);
    return index.size;
  }
}
