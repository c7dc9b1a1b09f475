/**
 * MessageStoreConfig defaults (Apache MessageStoreConfig) and the one-time validation at the store's edge.
 */
import { StratusError } from "../common/errors.js";
import type { MessageStoreConfig } from "./message-store.js";

/** ConsumeQueue unit size: long commitLogOffset + int size + long tagsCode. */
export const CQ_STORE_UNIT_SIZE = 20;

/** Apache's defaults under `storePathRootDir`. */
export function defaultMessageStoreConfig(storePathRootDir: string): MessageStoreConfig {
  return {
    storePathRootDir,
    mappedFileSizeCommitLog: 1024 * 1024 * 1024,
    mappedFileSizeConsumeQueue: 300_000 * CQ_STORE_UNIT_SIZE,
    flushDiskType: "ASYNC_FLUSH",
    flushIntervalCommitLog: 500,
    syncFlushTimeout: 5_000,
    fileReservedTime: 72,
    maxCommitLogBytes: 0,
    maxHashSlotNum: 5_000_000,
    maxIndexNum: 20_000_000,
    messageIndexEnable: true,
  };
}

function positiveInt(config: MessageStoreConfig, key: keyof MessageStoreConfig, min = 1): number {
  const v = config[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min)
    throw new StratusError("CONFIG_INVALID", `store config ${key}=${String(v)} must be an integer >= ${min}`);
  return v;
}

const KNOWN_KEYS: ReadonlySet<string> = new Set([
  ...Object.keys(defaultMessageStoreConfig("/")),
  "messageDelayLevel",
]);

/** Validates once (unknown keys rejected by name) and returns a frozen copy. */
export function validateMessageStoreConfig(config: MessageStoreConfig): Readonly<MessageStoreConfig> {
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) throw new StratusError("CONFIG_INVALID", `unknown store config key ${key}`);
  }
  if (typeof config.storePathRootDir !== "string" || config.storePathRootDir === "")
    throw new StratusError("CONFIG_INVALID", "store config storePathRootDir is empty");
  // a segment must hold at least one record of the largest size plus the 8-byte blank marker
  positiveInt(config, "mappedFileSizeCommitLog", 4096);
  const cq = positiveInt(config, "mappedFileSizeConsumeQueue", CQ_STORE_UNIT_SIZE);
  if (cq % CQ_STORE_UNIT_SIZE !== 0)
    throw new StratusError("CONFIG_INVALID", `mappedFileSizeConsumeQueue ${cq} is not a multiple of 20`);
  if (!["ASYNC_FLUSH", "SYNC_FLUSH", "objectStore"].includes(config.flushDiskType))
    throw new StratusError("CONFIG_INVALID", `flushDiskType ${String(config.flushDiskType)}`);
  positiveInt(config, "flushIntervalCommitLog");
  positiveInt(config, "syncFlushTimeout");
  positiveInt(config, "fileReservedTime", 0);
  positiveInt(config, "maxCommitLogBytes", 0);
  positiveInt(config, "maxHashSlotNum");
  positiveInt(config, "maxIndexNum", 2);
  if (config.mappedFileSizeCommitLog > 2 ** 31 - 1)
    throw new StratusError("CONFIG_INVALID", "mappedFileSizeCommitLog must fit an int (blank marker size)");
  return Object.freeze({ ...config });
}
