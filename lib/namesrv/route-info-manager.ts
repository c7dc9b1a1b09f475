/**
 * The NameServer's route table, as a port: the processors talk only to this interface, so the in-memory
 * table (memory-route-info-manager.ts) can later be backed by the MetadataStore without touching them.
 *
 * State (Apache `RouteInfoManager`, protocol doc §3.1):
 *   clusterAddrTable  clusterName -> brokerNames
 *   brokerAddrTable   brokerName  -> BrokerData {cluster, brokerAddrs: brokerId -> "ip:port", ...}
 *   topicQueueTable   topic       -> brokerName -> QueueData
 *   brokerLiveTable   (clusterName, brokerAddr) -> last update, timeout, DataVersion, registering channel
 *   filterServerTable (clusterName, brokerAddr) -> filter servers (legacy)
 * A broker leaves when it unregisters, when it has not renewed within its timeout, or when the connection it
 * registered on closes; a topic leaves with the last QueueData.
 */
import type { ClusterInfo, TopicList } from "../protocol/cluster-info.js";
import type { DataVersion } from "../protocol/data-version.js";
import type { BrokerIdentityHeader } from "../protocol/namesrv-headers.js";
import type { TopicConfigSerializeWrapper } from "../protocol/register-broker-body.js";
import type { QueueData, TopicRouteData } from "../protocol/route-data.js";

/** The connection a broker registered on (a lib/remoting Connection satisfies it). */
export interface BrokerChannel {
  readonly id: string;
  close(): void;
}

export interface BrokerRegistration {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
  haServerAddr: string;
  /** 5.x `__ZONE_NAME` extField. */
  zoneName?: string | undefined;
  /** 5.x header; absent means the NameServer's brokerChannelExpiredTime. */
  heartbeatTimeoutMillis?: number | undefined;
  /** 5.x header; absent marks an "old" broker without acting-master support. */
  enableActingMaster?: boolean | undefined;
  topicConfigWrapper: TopicConfigSerializeWrapper;
  filterServerList: string[];
  channel?: BrokerChannel | undefined;
}

/** What a registering slave learns about its master. */
export interface RegisterBrokerResult {
  haServerAddr?: string | undefined;
  masterAddr?: string | undefined;
}

/** The QueueData filters behind GET_UNIT_TOPIC_LIST (311), GET_HAS_UNIT_SUB_TOPIC_LIST (312), 313. */
export type UnitTopicFilter = "UNIT" | "UNIT_SUB" | "UNIT_SUB_UNUNIT";

export interface RouteInfoManager {
  /** Undefined when Apache would refuse it (one lone topic from a broker id never registered before). */
  registerBroker(registration: BrokerRegistration): Promise<RegisterBrokerResult | undefined>;
  unregisterBroker(broker: BrokerIdentityHeader): Promise<void>;
  /** True when the broker is unknown or its registered DataVersion differs from `dataVersion`. */
  isBrokerTopicConfigChanged(
    clusterName: string,
    brokerAddr: string,
    dataVersion: DataVersion,
  ): Promise<boolean>;
  /** The DataVersion the broker last registered, if it is live. */
  queryBrokerTopicConfig(clusterName: string, brokerAddr: string): Promise<DataVersion | undefined>;
  /** Renews a live broker (BROKER_HEARTBEAT, unchanged QUERY_DATA_VERSION); false if it is not live. */
  updateBrokerInfoUpdateTimestamp(clusterName: string, brokerAddr: string): Promise<boolean>;
  pickupTopicRouteData(topic: string): Promise<TopicRouteData | undefined>;
  getAllClusterInfo(): Promise<ClusterInfo>;
  getAllTopicList(): Promise<string[]>;
  getTopicsByCluster(clusterName: string): Promise<string[]>;
  getSystemTopicList(): Promise<TopicList>;
  getUnitTopicList(filter: UnitTopicFilter): Promise<string[]>;
  /** Removes the topic, or with `clusterName` only that cluster's QueueData of it. */
  deleteTopic(topic: string, clusterName?: string): Promise<void>;
  /** REGISTER_TOPIC_IN_NAMESRV: adds a topic that does not exist yet, on brokers that do. */
  registerTopic(topic: string, queueDatas: readonly QueueData[]): Promise<void>;
  /** Clears PERM_WRITE on every QueueData of the broker; returns how many topics it touched. */
  wipeWritePermOfBroker(brokerName: string): Promise<number>;
  /** Sets read+write on every QueueData of the broker (Apache sets exactly 6); returns the topic count. */
  addWritePermOfBroker(brokerName: string): Promise<number>;
  /** Drops brokers whose last renewal is older than their timeout; returns their addresses. */
  scanNotActiveBroker(): Promise<string[]>;
  /** The channel a broker registered on closed: drop every broker registered through it. */
  onChannelDestroy(channel: BrokerChannel): Promise<void>;
}
