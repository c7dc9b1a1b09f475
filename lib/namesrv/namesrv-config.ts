/**
 * NameServer configuration, with Apache's namesrv properties keys spelled as Apache spells them
 * (`NamesrvConfig`, `NettyServerConfig`). Validated once (unknown keys rejected by name, Apache keys that have
 * no effect here accepted and reported), then frozen. UPDATE_NAMESRV_CONFIG replaces the frozen object.
 */
import { applyConfig } from "../common/config-schema.js";
import { StratusError } from "../common/errors.js";
import { formatProperties, parseProperties } from "../common/properties.js";

export interface NamesrvConfig {
  /** NettyServerConfig.listenPort. */
  listenPort: number;
  /** NettyServerConfig.bindAddress (5.x). */
  bindAddress: string;
  /** Serve `orderTopicConf` from the ORDER_TOPIC_CONFIG namespace in routes. */
  orderMessageEnable: boolean;
  /** Answer REGISTER_BROKER with the ORDER_TOPIC_CONFIG table. */
  returnOrderTopicConfigToBroker: boolean;
  /** How often expired brokers are swept, ms. */
  scanNotActiveBrokerInterval: number;
  /** Timeout of brokers that do not send heartbeatTimeoutMillis, ms (Apache's fixed 120 s, made a key). */
  brokerChannelExpiredTime: number;
  /** GET_ALL_TOPIC_LIST_FROM_NAMESERVER answers "disable" when false. */
  enableAllTopicList: boolean;
  /** GET_TOPICS_BY_CLUSTER and the unit topic lists answer "disable" when false. */
  enableTopicList: boolean;
  /** A master's registration removes the topics it no longer has. */
  deleteTopicWithBrokerRegistration: boolean;
  /** Answer routes with SYSTEM_ERROR "name server not ready" for waitSecondsForService after start. */
  needWaitForService: boolean;
  waitSecondsForService: number;
}

export const DEFAULT_NAMESRV_CONFIG: Readonly<NamesrvConfig> = Object.freeze({
  listenPort: 9876,
  bindAddress: "0.0.0.0",
  orderMessageEnable: false,
  returnOrderTopicConfigToBroker: true,
  scanNotActiveBrokerInterval: 5_000,
  brokerChannelExpiredTime: 120_000,
  enableAllTopicList: true,
  enableTopicList: true,
  deleteTopicWithBrokerRegistration: false,
  needWaitForService: false,
  waitSecondsForService: 45,
});

/** Apache namesrv keys accepted without effect (thread pools, paths, Netty tuning, controller, ACL). */
export const IGNORED_NAMESRV_KEYS: ReadonlySet<string> = new Set([
  "rocketmqHome",
  "kvConfigPath",
  "configStorePath",
  "productEnvName",
  "clusterTest",
  "clientRequestThreadPoolNums",
  "defaultThreadPoolNums",
  "clientRequestThreadPoolQueueCapacity",
  "defaultThreadPoolQueueCapacity",
  "unRegisterBrokerQueueCapacity",
  "supportActingMaster",
  "notifyMinBrokerIdChanged",
  "enableControllerInNamesrv",
  "configBlackList",
  "serverWorkerThreads",
  "serverCallbackExecutorThreads",
  "serverSelectorThreads",
  "serverOnewaySemaphoreValue",
  "serverAsyncSemaphoreValue",
  "serverChannelMaxIdleTimeSeconds",
  "serverSocketSndBufSize",
  "serverSocketRcvBufSize",
  "serverSocketBacklog",
  "serverPooledByteBufAllocatorEnable",
  "useEpollNativeSelector",
  "writeBufferHighWaterMark",
  "writeBufferLowWaterMark",
]);

/** Keys UPDATE_NAMESRV_CONFIG refuses (Apache 5.x default configBlackList). */
export const NAMESRV_CONFIG_BLACK_LIST: ReadonlySet<string> = new Set([
  "configBlackList",
  "configStorePath",
  "kvConfigPath",
]);

function checkRanges(c: NamesrvConfig, source: string): void {
  const bad = (key: string, why: string) => new StratusError("CONFIG_INVALID", `${source}: '${key}' ${why}`);
  if (!Number.isInteger(c.listenPort) || c.listenPort < 0 || c.listenPort > 65535) {
    throw bad("listenPort", "must be a port number");
  }
  for (const key of ["scanNotActiveBrokerInterval", "brokerChannelExpiredTime"] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) throw bad(key, "must be a positive integer (ms)");
  }
  if (!Number.isInteger(c.waitSecondsForService) || c.waitSecondsForService < 0) {
    throw bad("waitSecondsForService", "must be a non-negative integer");
  }
}

/** Apply `entries` (e.g. parsed namesrv.properties) over `base`; returns the frozen config and ignored keys. */
export function applyNamesrvConfig(
  source: string,
  entries: Iterable<readonly [string, string]>,
  base: Readonly<NamesrvConfig> = DEFAULT_NAMESRV_CONFIG,
): { config: Readonly<NamesrvConfig>; ignoredKeys: string[] } {
  const result = applyConfig(source, { ...base }, entries, IGNORED_NAMESRV_KEYS);
  checkRanges(result.config, source);
  return result;
}

/** Parse a namesrv properties file's text. */
export function parseNamesrvConfig(text: string, source = "namesrv.properties") {
  return applyNamesrvConfig(source, parseProperties(text));
}

/** The GET_NAMESRV_CONFIG body: `key=value` lines, keys sorted. */
export function formatNamesrvConfig(c: Readonly<NamesrvConfig>): string {
  const entries = Object.entries(c).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return formatProperties(entries.map(([k, v]) => [k, String(v)] as const));
}
