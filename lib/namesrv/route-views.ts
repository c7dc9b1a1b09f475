/**
 * What a MetadataStore-backed NameServer answers, computed from the live leases and the stored QueueData:
 * pure functions, so the rules are tested without a store.
 *
 * A broker group (brokerName) exists while one of its leases is live. Its BrokerData takes cluster, zone and
 * acting-master flag from the master's lease, else from the lowest brokerId's. QueueData of a brokerName with
 * no live lease is not served. As in Apache, an acting-master group whose master is gone serves its queues
 * without PERM_WRITE.
 */
import type { ClusterInfo, TopicList } from "../protocol/cluster-info.js";
import { PermName } from "../protocol/perm-name.js";
import { type BrokerData, MASTER_ID, type QueueData, type TopicRouteData } from "../protocol/route-data.js";
import type { StoredLease } from "./namesrv-records.js";

export interface BrokerGroup {
  readonly data: BrokerData;
  /** brokerAddr -> its filter servers (legacy). */
  readonly filterServers: ReadonlyMap<string, readonly string[]>;
}

/** Leases live at `nowMs` (a lease is live while now < expiresAtMs). */
export function liveLeases(leases: readonly StoredLease[], nowMs: number): StoredLease[] {
  return leases.filter((l) => l.expiresAtMs > nowMs);
}

/** Broker groups by brokerName, from live leases (ordered by cluster, brokerName, brokerId). */
export function brokerGroups(live: readonly StoredLease[]): Map<string, BrokerGroup> {
  const byName = new Map<string, StoredLease[]>();
  for (const l of live) {
    const list = byName.get(l.lease.brokerName);
    if (list === undefined) byName.set(l.lease.brokerName, [l]);
    else list.push(l);
  }
  const groups = new Map<string, BrokerGroup>();
  for (const [brokerName, leases] of byName) {
    const sorted = [...leases].sort((a, b) => a.lease.brokerId - b.lease.brokerId);
    const head = (sorted[0] as StoredLease).lease;
    const filterServers = new Map<string, string[]>();
    for (const l of sorted) {
      if (l.lease.filterServerList.length > 0)
        filterServers.set(l.lease.brokerAddr, l.lease.filterServerList);
    }
    groups.set(brokerName, {
      data: {
        cluster: head.clusterName,
        brokerName,
        brokerAddrs: new Map(sorted.map((l) => [l.lease.brokerId, l.lease.brokerAddr])),
        enableActingMaster: head.enableActingMaster,
        zoneName: head.zoneName,
      },
      filterServers,
    });
  }
  return groups;
}

function byBrokerName(a: { brokerName: string }, b: { brokerName: string }): number {
  return a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0;
}

function cloneBrokerData(b: BrokerData): BrokerData {
  return { ...b, brokerAddrs: new Map(b.brokerAddrs) };
}

/** GET_ROUTEINFO_BY_TOPIC: the stored QueueData of live broker groups, or undefined when none is live. */
export function topicRouteOf(
  queues: readonly QueueData[],
  groups: ReadonlyMap<string, BrokerGroup>,
): TopicRouteData | undefined {
  const queueDatas: QueueData[] = [];
  const brokerDatas: BrokerData[] = [];
  const filterServerTable = new Map<string, string[]>();
  for (const q of queues) {
    const group = groups.get(q.brokerName);
    if (group === undefined) continue;
    const actingWithoutMaster = group.data.enableActingMaster && !group.data.brokerAddrs.has(MASTER_ID);
    queueDatas.push({ ...q, perm: actingWithoutMaster ? q.perm & ~PermName.PERM_WRITE : q.perm });
    brokerDatas.push(cloneBrokerData(group.data));
    for (const [addr, servers] of group.filterServers) filterServerTable.set(addr, [...servers]);
  }
  if (brokerDatas.length === 0) return undefined;
  return {
    queueDatas: queueDatas.sort(byBrokerName),
    brokerDatas: brokerDatas.sort(byBrokerName),
    filterServerTable,
  };
}

export function clusterInfoOf(groups: ReadonlyMap<string, BrokerGroup>): ClusterInfo {
  const brokerAddrTable = new Map<string, BrokerData>();
  const clusterAddrTable = new Map<string, string[]>();
  for (const [name, group] of groups) {
    brokerAddrTable.set(name, cloneBrokerData(group.data));
    const names = clusterAddrTable.get(group.data.cluster);
    if (names === undefined) clusterAddrTable.set(group.data.cluster, [name]);
    else names.push(name);
  }
  return { brokerAddrTable, clusterAddrTable };
}

/** GET_SYSTEM_TOPIC_LIST_FROM_NS: every cluster name followed by its brokerNames, and one broker address. */
export function systemTopicListOf(groups: ReadonlyMap<string, BrokerGroup>): TopicList {
  const topicList: string[] = [];
  for (const [cluster, names] of clusterInfoOf(groups).clusterAddrTable) topicList.push(cluster, ...names);
  const first = groups.values().next().value;
  const brokerAddr = first === undefined ? undefined : first.data.brokerAddrs.values().next().value;
  return { topicList, brokerAddr };
}

/** TopicSysFlag bits (Apache `TopicSysFlag`). */
const FLAG_UNIT = 1;
const FLAG_UNIT_SUB = 2;

/** Whether a topic with this topicSysFlag is in the unit topic list `filter`. */
export function matchesUnitFilter(flag: number, filter: "UNIT" | "UNIT_SUB" | "UNIT_SUB_UNUNIT"): boolean {
  const unit = (flag & FLAG_UNIT) !== 0;
  const unitSub = (flag & FLAG_UNIT_SUB) !== 0;
  return filter === "UNIT" ? unit : filter === "UNIT_SUB" ? unitSub : unitSub && !unit;
}
