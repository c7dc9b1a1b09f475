/**
 * The in-memory route table (one NameServer process), with Apache 5.x's registration rules:
 * - a broker address moving to another brokerId (slave promoted) leaves its old id;
 * - a different address for an occupied brokerId with an older stateVersion is ignored;
 * - one lone topic from a brokerId never registered before is refused (a broker's first registration carries
 *   its whole table);
 * - topics are (re)read only from the master, or from the lowest-id slave of an acting-master broker
 *   (with write permission wiped), and only when the DataVersion changed or the topic lacks this broker.
 * Liveness is measured on the Clock's monotonic time.
 */
import type { Clock } from "../common/clock.js";
import { StratusError } from "../common/errors.js";
import { MAX_NAMESRV_BROKERS, MAX_NAMESRV_TOPICS } from "../common/limits.js";
import type { ClusterInfo, TopicList } from "../protocol/cluster-info.js";
import { type DataVersion, dataVersionEquals } from "../protocol/data-version.js";
import type { BrokerIdentityHeader } from "../protocol/namesrv-headers.js";
import { PermName } from "../protocol/perm-name.js";
import { type BrokerData, MASTER_ID, type QueueData, type TopicRouteData } from "../protocol/route-data.js";
import type {
  BrokerChannel,
  BrokerRegistration,
  RegisterBrokerResult,
  RouteInfoManager,
  UnitTopicFilter,
} from "./route-info-manager.js";

/** Apache's default broker timeout (brokerChannelExpiredTime), 120 s. */
export const DEFAULT_BROKER_CHANNEL_EXPIRED_TIME_MS = 120_000;

/** TopicSysFlag bits (Apache `TopicSysFlag`). */
const FLAG_UNIT = 1;
const FLAG_UNIT_SUB = 2;

interface MutableBrokerData {
  cluster: string;
  brokerName: string;
  brokerAddrs: Map<number, string>;
  enableActingMaster: boolean;
  zoneName: string | undefined;
}

interface BrokerLiveInfo {
  clusterName: string;
  brokerAddr: string;
  lastUpdateMs: number;
  heartbeatTimeoutMillis: number;
  dataVersion: DataVersion;
  channel: BrokerChannel | undefined;
  haServerAddr: string;
}

export interface MemoryRouteInfoOptions {
  clock: Clock;
  /** Timeout for brokers that do not send heartbeatTimeoutMillis. */
  brokerChannelExpiredTimeMs?: number;
  /** 5.x deleteTopicWithBrokerRegistration: a master's registration removes its topics it no longer has. */
  deleteTopicWithBrokerRegistration?: boolean;
}

function liveKey(clusterName: string, brokerAddr: string): string {
  return `${clusterName}\u0000${brokerAddr}`;
}

function minId(addrs: ReadonlyMap<number, string>): number | undefined {
  let min: number | undefined;
  for (const id of addrs.keys()) if (min === undefined || id < min) min = id;
  return min;
}

function cloneBrokerData(b: MutableBrokerData): BrokerData {
  return { ...b, brokerAddrs: new Map(b.brokerAddrs) };
}

function byBrokerName(a: { brokerName: string }, b: { brokerName: string }): number {
  return a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0;
}

export class MemoryRouteInfoManager implements RouteInfoManager {
  private readonly clock: Clock;
  private readonly defaultTimeoutMs: number;
  private readonly deleteTopicWithRegistration: boolean;
  private readonly topicQueueTable = new Map<string, Map<string, QueueData>>();
  private readonly brokerAddrTable = new Map<string, MutableBrokerData>();
  private readonly clusterAddrTable = new Map<string, Set<string>>();
  private readonly brokerLiveTable = new Map<string, BrokerLiveInfo>();
  private readonly filterServerTable = new Map<string, string[]>();

  constructor(options: MemoryRouteInfoOptions) {
    this.clock = options.clock;
    this.defaultTimeoutMs = options.brokerChannelExpiredTimeMs ?? DEFAULT_BROKER_CHANNEL_EXPIRED_TIME_MS;
    this.deleteTopicWithRegistration = options.deleteTopicWithBrokerRegistration ?? false;
  }

  async registerBroker(reg: BrokerRegistration): Promise<RegisterBrokerResult | undefined> {
    const key = liveKey(reg.clusterName, reg.brokerAddr);
    if (!this.brokerLiveTable.has(key) && this.brokerLiveTable.size >= MAX_NAMESRV_BROKERS) {
      throw new StratusError("LIMIT_EXCEEDED", `more than ${MAX_NAMESRV_BROKERS} live brokers`);
    }
    this.checkTopicLimit(reg.topicConfigWrapper.topicConfigTable.keys());
    let brokerNames = this.clusterAddrTable.get(reg.clusterName);
    if (brokerNames === undefined) {
      brokerNames = new Set();
      this.clusterAddrTable.set(reg.clusterName, brokerNames);
    }
    brokerNames.add(reg.brokerName);
    let brokerData = this.brokerAddrTable.get(reg.brokerName);
    let registerFirst = brokerData === undefined;
    if (brokerData === undefined) {
      brokerData = {
        cluster: reg.clusterName,
        brokerName: reg.brokerName,
        brokerAddrs: new Map(),
        enableActingMaster: false,
        zoneName: undefined,
      };
      this.brokerAddrTable.set(reg.brokerName, brokerData);
    }
    const isOldVersionBroker = reg.enableActingMaster === undefined;
    brokerData.enableActingMaster = reg.enableActingMaster === true;
    brokerData.zoneName = reg.zoneName;
    const addrs = brokerData.brokerAddrs;
    for (const [id, addr] of addrs) if (addr === reg.brokerAddr && id !== reg.brokerId) addrs.delete(id);
    if (this.isStaleRegistration(reg, addrs.get(reg.brokerId))) {
      this.brokerLiveTable.delete(key);
      return {};
    }
    if (!addrs.has(reg.brokerId) && reg.topicConfigWrapper.topicConfigTable.size === 1) return undefined;
    const oldAddr = addrs.get(reg.brokerId);
    addrs.set(reg.brokerId, reg.brokerAddr);
    registerFirst = registerFirst || oldAddr === undefined || oldAddr === "";
    const isMaster = reg.brokerId === MASTER_ID;
    const isPrimeSlave = !isOldVersionBroker && !isMaster && reg.brokerId === minId(addrs);
    if (isMaster || isPrimeSlave) this.updateTopics(reg, registerFirst, isPrimeSlave);
    this.brokerLiveTable.set(key, {
      clusterName: reg.clusterName,
      brokerAddr: reg.brokerAddr,
      lastUpdateMs: this.clock.monotonicMs(),
      heartbeatTimeoutMillis: reg.heartbeatTimeoutMillis ?? this.defaultTimeoutMs,
      dataVersion: { ...reg.topicConfigWrapper.dataVersion },
      channel: reg.channel,
      haServerAddr: reg.haServerAddr,
    });
    if (reg.filterServerList.length === 0) this.filterServerTable.delete(key);
    else this.filterServerTable.set(key, [...reg.filterServerList]);
    return isMaster ? {} : this.masterOf(reg.clusterName, brokerData);
  }

  /** Refuses, before any change, a registration that would grow the table past MAX_NAMESRV_TOPICS. */
  private checkTopicLimit(topics: Iterable<string>): void {
    let added = 0;
    for (const topic of topics) if (!this.topicQueueTable.has(topic)) added++;
    if (this.topicQueueTable.size + added > MAX_NAMESRV_TOPICS) {
      throw new StratusError("LIMIT_EXCEEDED", `more than ${MAX_NAMESRV_TOPICS} topics in the route table`);
    }
  }

  /** Another address already holds this brokerId with a newer stateVersion: the newcomer is ignored. */
  private isStaleRegistration(reg: BrokerRegistration, oldAddr: string | undefined): boolean {
    if (oldAddr === undefined || oldAddr === reg.brokerAddr) return false;
    const old = this.brokerLiveTable.get(liveKey(reg.clusterName, oldAddr));
    return (
      old !== undefined && old.dataVersion.stateVersion > reg.topicConfigWrapper.dataVersion.stateVersion
    );
  }

  private updateTopics(reg: BrokerRegistration, registerFirst: boolean, isPrimeSlave: boolean): void {
    const { dataVersion, topicConfigTable } = reg.topicConfigWrapper;
    const versionChanged = this.versionChanged(reg.clusterName, reg.brokerAddr, dataVersion);
    for (const tc of topicConfigTable.values()) {
      const queues = this.topicQueueTable.get(tc.topicName);
      if (!registerFirst && !versionChanged && queues?.has(reg.brokerName)) continue;
      const perm = isPrimeSlave ? tc.perm & ~PermName.PERM_WRITE : tc.perm;
      this.putQueueData(tc.topicName, {
        brokerName: reg.brokerName,
        readQueueNums: tc.readQueueNums,
        writeQueueNums: tc.writeQueueNums,
        perm,
        topicSysFlag: tc.topicSysFlag,
      });
    }
    if (this.deleteTopicWithRegistration && versionChanged) {
      for (const [topic, queues] of this.topicQueueTable) {
        if (!topicConfigTable.has(topic) && queues.delete(reg.brokerName) && queues.size === 0) {
          this.topicQueueTable.delete(topic);
        }
      }
    }
  }

  private putQueueData(topic: string, queueData: QueueData): void {
    let queues = this.topicQueueTable.get(topic);
    if (queues === undefined) {
      queues = new Map();
      this.topicQueueTable.set(topic, queues);
    }
    queues.set(queueData.brokerName, queueData);
  }

  private versionChanged(clusterName: string, brokerAddr: string, dataVersion: DataVersion): boolean {
    const prev = this.brokerLiveTable.get(liveKey(clusterName, brokerAddr))?.dataVersion;
    return prev === undefined || !dataVersionEquals(prev, dataVersion);
  }

  private masterOf(clusterName: string, brokerData: MutableBrokerData): RegisterBrokerResult {
    const masterAddr = brokerData.brokerAddrs.get(MASTER_ID);
    const master =
      masterAddr === undefined ? undefined : this.brokerLiveTable.get(liveKey(clusterName, masterAddr));
    return master === undefined ? {} : { haServerAddr: master.haServerAddr, masterAddr };
  }

  async unregisterBroker(broker: BrokerIdentityHeader): Promise<void> {
    this.removeBroker(broker.clusterName, broker.brokerAddr, broker.brokerName);
  }

  private removeBroker(clusterName: string, brokerAddr: string, brokerName: string): void {
    const key = liveKey(clusterName, brokerAddr);
    this.brokerLiveTable.delete(key);
    this.filterServerTable.delete(key);
    const brokerData = this.brokerAddrTable.get(brokerName);
    if (brokerData === undefined) return;
    for (const [id, addr] of brokerData.brokerAddrs)
      if (addr === brokerAddr) brokerData.brokerAddrs.delete(id);
    if (brokerData.brokerAddrs.size === 0) {
      this.brokerAddrTable.delete(brokerName);
      const names = this.clusterAddrTable.get(clusterName);
      if (names?.delete(brokerName) && names.size === 0) this.clusterAddrTable.delete(clusterName);
      for (const [topic, queues] of this.topicQueueTable) {
        if (queues.delete(brokerName) && queues.size === 0) this.topicQueueTable.delete(topic);
      }
    } else if (brokerData.enableActingMaster && !brokerData.brokerAddrs.has(MASTER_ID)) {
      for (const queues of this.topicQueueTable.values()) {
        const qd = queues.get(brokerName);
        if (qd !== undefined) queues.set(brokerName, { ...qd, perm: qd.perm & ~PermName.PERM_WRITE });
      }
    }
  }

  async isBrokerTopicConfigChanged(
    clusterName: string,
    brokerAddr: string,
    dv: DataVersion,
  ): Promise<boolean> {
    return this.versionChanged(clusterName, brokerAddr, dv);
  }

  async queryBrokerTopicConfig(clusterName: string, brokerAddr: string): Promise<DataVersion | undefined> {
    const live = this.brokerLiveTable.get(liveKey(clusterName, brokerAddr));
    return live === undefined ? undefined : { ...live.dataVersion };
  }

  async updateBrokerInfoUpdateTimestamp(clusterName: string, brokerAddr: string): Promise<boolean> {
    const live = this.brokerLiveTable.get(liveKey(clusterName, brokerAddr));
    if (live === undefined) return false;
    live.lastUpdateMs = this.clock.monotonicMs();
    return true;
  }

  async pickupTopicRouteData(topic: string): Promise<TopicRouteData | undefined> {
    const queues = this.topicQueueTable.get(topic);
    if (queues === undefined || queues.size === 0) return undefined;
    const brokerDatas: BrokerData[] = [];
    const filterServerTable = new Map<string, string[]>();
    for (const brokerName of queues.keys()) {
      const b = this.brokerAddrTable.get(brokerName);
      if (b === undefined) continue;
      brokerDatas.push(cloneBrokerData(b));
      for (const addr of b.brokerAddrs.values()) {
        const servers = this.filterServerTable.get(liveKey(b.cluster, addr));
        if (servers !== undefined) filterServerTable.set(addr, [...servers]);
      }
    }
    if (brokerDatas.length === 0) return undefined;
    return {
      queueDatas: [...queues.values()].map((q) => ({ ...q })).sort(byBrokerName),
      brokerDatas: brokerDatas.sort(byBrokerName),
      filterServerTable,
    };
  }

  async getAllClusterInfo(): Promise<ClusterInfo> {
    const brokerAddrTable = new Map<string, BrokerData>();
    for (const [name, b] of this.brokerAddrTable) brokerAddrTable.set(name, cloneBrokerData(b));
    const clusterAddrTable = new Map<string, string[]>();
    for (const [cluster, names] of this.clusterAddrTable) clusterAddrTable.set(cluster, [...names]);
    return { brokerAddrTable, clusterAddrTable };
  }

  async getAllTopicList(): Promise<string[]> {
    return [...this.topicQueueTable.keys()];
  }

  async getTopicsByCluster(clusterName: string): Promise<string[]> {
    const names = this.clusterAddrTable.get(clusterName) ?? new Set<string>();
    const topics = new Set<string>();
    for (const [topic, queues] of this.topicQueueTable) {
      for (const name of names) if (queues.has(name)) topics.add(topic);
    }
    return [...topics];
  }

  async getSystemTopicList(): Promise<TopicList> {
    const topicList: string[] = [];
    for (const [cluster, names] of this.clusterAddrTable) topicList.push(cluster, ...names);
    let brokerAddr: string | undefined;
    for (const b of this.brokerAddrTable.values()) {
      brokerAddr = b.brokerAddrs.values().next().value;
      if (brokerAddr !== undefined) break;
    }
    return { topicList, brokerAddr };
  }

  async getUnitTopicList(filter: UnitTopicFilter): Promise<string[]> {
    const out: string[] = [];
    for (const [topic, queues] of this.topicQueueTable) {
      const flag = queues.values().next().value?.topicSysFlag;
      if (flag === undefined) continue;
      const unit = (flag & FLAG_UNIT) !== 0;
      const unitSub = (flag & FLAG_UNIT_SUB) !== 0;
      if (filter === "UNIT" ? unit : filter === "UNIT_SUB" ? unitSub : unitSub && !unit) out.push(topic);
    }
    return out;
  }

  async deleteTopic(topic: string, clusterName?: string): Promise<void> {
    if (clusterName === undefined) {
      this.topicQueueTable.delete(topic);
      return;
    }
    const queues = this.topicQueueTable.get(topic);
    const names = this.clusterAddrTable.get(clusterName);
    if (queues === undefined || names === undefined) return;
    for (const name of names) queues.delete(name);
    if (queues.size === 0) this.topicQueueTable.delete(topic);
  }

  async registerTopic(topic: string, queueDatas: readonly QueueData[]): Promise<void> {
    if (queueDatas.length === 0 || this.topicQueueTable.has(topic)) return;
    if (!queueDatas.every((q) => this.brokerAddrTable.has(q.brokerName))) return;
    this.checkTopicLimit([topic]);
    this.topicQueueTable.set(topic, new Map(queueDatas.map((q) => [q.brokerName, { ...q }])));
  }

  async wipeWritePermOfBroker(brokerName: string): Promise<number> {
    return this.operateWritePerm(brokerName, (perm) => perm & ~PermName.PERM_WRITE);
  }

  async addWritePermOfBroker(brokerName: string): Promise<number> {
    return this.operateWritePerm(brokerName, () => PermName.PERM_READ | PermName.PERM_WRITE);
  }

  private operateWritePerm(brokerName: string, change: (perm: number) => number): number {
    let count = 0;
    for (const queues of this.topicQueueTable.values()) {
      const qd = queues.get(brokerName);
      if (qd === undefined) continue;
      queues.set(brokerName, { ...qd, perm: change(qd.perm) });
      count++;
    }
    return count;
  }

  async scanNotActiveBroker(): Promise<string[]> {
    const now = this.clock.monotonicMs();
    const expired = [...this.brokerLiveTable.values()].filter(
      (l) => l.lastUpdateMs + l.heartbeatTimeoutMillis < now,
    );
    for (const live of expired) {
      live.channel?.close();
      this.destroyLive(live);
    }
    return expired.map((l) => l.brokerAddr);
  }

  async onChannelDestroy(channel: BrokerChannel): Promise<void> {
    for (const live of [...this.brokerLiveTable.values()]) {
      if (live.channel?.id === channel.id) this.destroyLive(live);
    }
  }

  /** Apache `onChannelDestroy(BrokerAddrInfo)`: find the broker's name by address, then unregister it. */
  private destroyLive(live: BrokerLiveInfo): void {
    for (const b of this.brokerAddrTable.values()) {
      if (b.cluster !== live.clusterName) continue;
      for (const addr of b.brokerAddrs.values()) {
        if (addr === live.brokerAddr) {
          this.removeBroker(live.clusterName, live.brokerAddr, b.brokerName);
          return;
        }
      }
    }
    this.brokerLiveTable.delete(liveKey(live.clusterName, live.brokerAddr));
  }
}
