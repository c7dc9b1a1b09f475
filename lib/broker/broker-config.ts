/**
 * Broker configuration: Apache broker.conf keys, spelled as Apache spells them, with Apache's defaults
 * (except where noted). Validated once at the edge, then frozen.
 */
import { join } from "node:path";
import { applyConfig } from "../common/config-schema.js";
import { StratusError } from "../common/errors.js";
import { MAX_MESSAGE_BODY_BYTES, MAX_TIER_CHUNK_BYTES } from "../common/limits.js";
import { parseProperties } from "../common/properties.js";

export const DEFAULT_BROKER_CONFIG = {
  brokerClusterName: "DefaultCluster",
  brokerName: "broker-a",
  brokerId: 0,
  brokerRole: "ASYNC_MASTER",
  namesrvAddr: "127.0.0.1:9876",
  brokerIP1: "127.0.0.1",
  listenPort: 10911,
  storePathRootDir: "./.stratus/broker",
  flushDiskType: "ASYNC_FLUSH",
  mappedFileSizeCommitLog: 1024 * 1024 * 1024,
  mappedFileSizeConsumeQueue: 300_000 * 20,
  flushIntervalCommitLog: 500,
  syncFlushTimeout: 5000,
  fileReservedTime: 72,
  /** Stratus: retention by size; 0 = unlimited. */
  maxCommitLogBytes: 0,
  deleteWhen: "04",
  maxHashSlotNum: 5_000_000,
  maxIndexNum: 20_000_000,
  messageIndexEnable: true,
  autoCreateTopicEnable: true,
  autoCreateSubscriptionGroup: true,
  defaultTopicQueueNums: 8,
  clusterTopicEnable: true,
  brokerTopicEnable: true,
  traceTopicEnable: false,
  msgTraceTopicName: "RMQ_SYS_TRACE_TOPIC",
  brokerPermission: 6,
  longPollingEnable: true,
  shortPollingTimeMills: 1000,
  maxMessageSize: MAX_MESSAGE_BODY_BYTES,
  enablePropertyFilter: false,
  litePullMessageEnable: true,
  registerNameServerPeriod: 30_000,
  registerBrokerTimeoutMills: 6000,
  channelExpiredTimeout: 120_000,
  notifyConsumerIdsChangedEnable: true,
  regionId: "DefaultRegion",
  traceOn: true,
  messageDelayLevel: "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h",
  flushConsumerOffsetInterval: 5000,
  rejectTransactionMessage: false,
  transactionTimeOut: 6000,
  transactionCheckMax: 15,
  transactionCheckInterval: 30_000,
  timerWheelEnable: true,
  timerMaxDelaySec: 3 * 24 * 3600,
  /** Stratus tiering (docs/adr/0006): upload the CommitLog to the object store when the broker has a cloud. */
  tierEnable: true,
  /** A chunk is uploaded once this many bytes wait... */
  tierChunkBytes: 8 * 1024 * 1024,
  /** ...or once its oldest byte waited this long. */
  tierChunkMaxAgeMs: 10_000,
  /** flushDiskType=objectStore: how long a chunk waits for more sends to share its PUT. */
  tierCommitLingerMs: 5,
  /** Uploaded CommitLog kept on local disk (0: local retention by fileReservedTime/maxCommitLogBytes only). */
  tierLocalRetentionBytes: 0,
  /** Bytes not yet uploaded the broker holds before refusing sends (object store or metadata unreachable). */
  tierLocalBudgetBytes: 8 * 1024 * 1024 * 1024,
  /** Chunks older than this are deleted from the object store; 0 keeps them forever. */
  objectStoreRetentionHours: 0,
  /** Bytes of tiered data (blocks, chunk indexes) cached for reads. */
  tierReadCacheBytes: 64 * 1024 * 1024,
  /** On SIGTERM, how long the broker may spend uploading what the object store lacks. */
  drainTimeoutMs: 30_000,
} as const;

type Widen<T> = {
  -readonly [K in keyof T]: T[K] extends string ? string : T[K] extends number ? number : boolean;
};
export type BrokerConfig = Readonly<Widen<typeof DEFAULT_BROKER_CONFIG>>;

/** Apache keys accepted without effect (thread pools, JVM-specific tuning, HA that Stratus does differently). */
export const IGNORED_BROKER_KEYS: ReadonlySet<string> = new Set([
  "sendMessageThreadPoolNums",
  "pullMessageThreadPoolNums",
  "queryMessageThreadPoolNums",
  "adminBrokerThreadPoolNums",
  "clientManageThreadPoolNums",
  "consumerManageThreadPoolNums",
  "useReentrantLockWhenPutMessage",
  "transientStorePoolEnable",
  "warmMapedFileEnable",
  "osPageCacheBusyTimeOutMills",
  "waitTimeMillsInSendQueue",
  "waitTimeMillsInPullQueue",
  "haListenPort",
  "brokerIP2",
  "storePathCommitLog",
  "storePathConsumeQueue",
  "storePathIndex",
  "storeCheckpoint",
  "abortFile",
  "diskMaxUsedSpaceRatio",
  "maxTransferCountOnMessageInMemory",
  "maxTransferBytesOnMessageInMemory",
  "slaveReadEnable",
  "aclEnable",
  "enableCalcFilterBitMap",
  "enableConsumeQueueExt",
  "fetchNamesrvAddrByAddressServer",
]);

const FLUSH_TYPES = new Set(["ASYNC_FLUSH", "SYNC_FLUSH", "objectStore"]);
const ROLES = new Set(["ASYNC_MASTER", "SYNC_MASTER"]);

function validate(c: BrokerConfig, source: string): void {
  const fail = (msg: string): never => {
    throw new StratusError("CONFIG_INVALID", `${source}: ${msg}`);
  };
  if (!FLUSH_TYPES.has(c.flushDiskType))
    fail(`flushDiskType must be ASYNC_FLUSH, SYNC_FLUSH or objectStore, got '${c.flushDiskType}'`);
  if (c.flushDiskType === "objectStore" && !c.tierEnable)
    fail(
      "flushDiskType=objectStore acknowledges sends once they are in the object store: it needs tierEnable=true",
    );
  validateTierKeys(c, fail);
  if (!ROLES.has(c.brokerRole))
    fail(`brokerRole '${c.brokerRole}' is not supported yet (use ASYNC_MASTER or SYNC_MASTER)`);
  if (c.listenPort < 3 || c.listenPort > 65535)
    fail(`listenPort must be 3..65535 (the VIP channel uses listenPort - 2)`);
  if (c.mappedFileSizeCommitLog < 64 * 1024) fail("mappedFileSizeCommitLog must be at least 65536");
  if (c.mappedFileSizeConsumeQueue % 20 !== 0 || c.mappedFileSizeConsumeQueue < 20 * 16) {
    fail("mappedFileSizeConsumeQueue must be a multiple of 20 and at least 320");
  }
  if (c.brokerPermission < 0 || c.brokerPermission > 7) fail("brokerPermission must be 0..7");
  if (!/^[%|a-zA-Z0-9_-]+$/.test(c.brokerName)) fail(`brokerName '${c.brokerName}' has illegal characters`);
  if (c.defaultTopicQueueNums < 1 || c.defaultTopicQueueNums > 1024)
    fail("defaultTopicQueueNums must be 1..1024");
  if (c.maxMessageSize < 1 || c.maxMessageSize > MAX_MESSAGE_BODY_BYTES) {
    fail(`maxMessageSize must be 1..${MAX_MESSAGE_BODY_BYTES}`);
  }
}

function validateTierKeys(c: BrokerConfig, fail: (msg: string) => never): void {
  if (c.tierChunkBytes < 4096 || c.tierChunkBytes > MAX_TIER_CHUNK_BYTES)
    fail(`tierChunkBytes must be 4096..${MAX_TIER_CHUNK_BYTES}`);
  if (c.tierChunkMaxAgeMs < 1) fail("tierChunkMaxAgeMs must be at least 1");
  if (c.tierCommitLingerMs < 0) fail("tierCommitLingerMs must be >= 0");
  if (c.tierLocalRetentionBytes < 0) fail("tierLocalRetentionBytes must be >= 0");
  if (c.tierLocalBudgetBytes < c.tierChunkBytes) fail("tierLocalBudgetBytes must be at least tierChunkBytes");
  if (c.objectStoreRetentionHours < 0) fail("objectStoreRetentionHours must be >= 0");
  if (c.tierReadCacheBytes < 2 * 1024 * 1024) fail("tierReadCacheBytes must be at least 2097152");
  if (c.drainTimeoutMs < 0) fail("drainTimeoutMs must be >= 0");
}

export interface LoadedBrokerConfig {
  config: BrokerConfig;
  ignoredKeys: string[];
}

/** Build a config from key/value pairs (broker.conf text, CLI flags), defaults first. */
export function buildBrokerConfig(
  source: string,
  entries: Iterable<readonly [string, string]>,
  base: Partial<BrokerConfig> = {},
): LoadedBrokerConfig {
  const defaults = { ...DEFAULT_BROKER_CONFIG, ...base } as BrokerConfig;
  const { config, ignoredKeys } = applyConfig(source, defaults, entries, IGNORED_BROKER_KEYS);
  validate(config, source);
  return { config, ignoredKeys };
}

export function parseBrokerConf(
  path: string,
  text: string,
  base: Partial<BrokerConfig> = {},
): LoadedBrokerConfig {
  return buildBrokerConfig(path, parseProperties(text), base);
}

export function brokerAddress(c: BrokerConfig): string {
  return `${c.brokerIP1}:${c.listenPort}`;
}

export function configDir(c: BrokerConfig): string {
  return join(c.storePathRootDir, "config");
}
