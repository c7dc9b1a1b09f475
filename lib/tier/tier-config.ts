/**
 * Tiering settings (broker.conf keys in brackets), validated once and frozen.
 */
import { StratusError } from "../common/errors.js";
import {
  DEFAULT_TIER_READ_CACHE_BYTES,
  MAX_TIER_CHUNK_BYTES,
  TIER_READ_BLOCK_BYTES,
} from "../common/limits.js";

export interface TierConfig {
  brokerClusterName: string;
  brokerName: string;
  /** A chunk is cut once this many CommitLog bytes wait (tierChunkBytes, 8 MiB). */
  chunkBytes: number;
  /** ... or once the oldest waiting byte waited this long (tierChunkMaxAgeMs, 10 s). */
  chunkMaxAgeMs: number;
  /** objectStore durability: how long a chunk waits for more sends to share its PUT (tierCommitLingerMs, 5 ms). */
  commitLingerMs: number;
  /** Bytes of CommitLog not yet in the object store a broker accepts before refusing sends (tierLocalBudgetBytes). */
  localBudgetBytes: number;
  /** Chunks older than this are deleted from the object store; 0 keeps them forever (objectStoreRetentionHours). */
  objectStoreRetentionHours: number;
  /** Bytes of chunk blocks and indexes the reader caches (tierReadCacheBytes). */
  readCacheBytes: number;
  /** The broker's delay levels in ms (schedule-topic tagsCodes are delivery times). */
  delayLevels: readonly number[];
}

export const DEFAULT_TIER_CONFIG = {
  chunkBytes: 8 * 1024 * 1024,
  chunkMaxAgeMs: 10_000,
  commitLingerMs: 5,
  localBudgetBytes: 8 * 1024 * 1024 * 1024,
  objectStoreRetentionHours: 0,
  readCacheBytes: DEFAULT_TIER_READ_CACHE_BYTES,
} as const;

function check(ok: boolean, what: string): void {
  if (!ok) throw new StratusError("CONFIG_INVALID", `tier config: ${what}`);
}

export function validateTierConfig(c: TierConfig): Readonly<TierConfig> {
  const int = (v: number, min: number) => Number.isSafeInteger(v) && v >= min;
  check(
    c.brokerName.length > 0 && c.brokerClusterName.length > 0,
    "brokerName and brokerClusterName are required",
  );
  check(
    int(c.chunkBytes, 4096) && c.chunkBytes <= MAX_TIER_CHUNK_BYTES,
    `tierChunkBytes=${c.chunkBytes} must be 4096..${MAX_TIER_CHUNK_BYTES}`,
  );
  check(int(c.chunkMaxAgeMs, 1), `tierChunkMaxAgeMs=${c.chunkMaxAgeMs} must be >= 1`);
  check(int(c.commitLingerMs, 0), `tierCommitLingerMs=${c.commitLingerMs} must be >= 0`);
  check(
    int(c.localBudgetBytes, c.chunkBytes),
    `tierLocalBudgetBytes=${c.localBudgetBytes} must be at least tierChunkBytes (${c.chunkBytes})`,
  );
  check(
    int(c.objectStoreRetentionHours, 0),
    `objectStoreRetentionHours=${c.objectStoreRetentionHours} must be >= 0`,
  );
  check(
    int(c.readCacheBytes, 2 * TIER_READ_BLOCK_BYTES),
    `tierReadCacheBytes=${c.readCacheBytes} must be at least ${2 * TIER_READ_BLOCK_BYTES}`,
  );
  return Object.freeze({ ...c, delayLevels: Object.freeze([...c.delayLevels]) });
}
