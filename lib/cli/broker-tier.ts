/**
 * Tiering for a broker the CLI starts: when the broker runs on a cloud with an object store and tierEnable is
 * on (the default), a TierService over the cloud's ports is attached to its store (docs/adr/0006). The store's
 * local retention is then tierLocalRetentionBytes, and flushDiskType=objectStore becomes possible.
 */
import type { BrokerConfig } from "../broker/broker-config.js";
import { StratusError } from "../common/errors.js";
import type { MetadataStore } from "../ports/metadata-store.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { DefaultMessageStore } from "../store/default-message-store.js";
import type { FlushDiskType, MessageStoreConfig } from "../store/message-store.js";
import { parseDelayLevels } from "../store/schedule-delay.js";
import { TierService } from "../tier/tier-service.js";

/** The ports a broker's cloud offers (the object store is absent for a metadata-only cloud). */
export interface TierCloud {
  readonly metadataStore: MetadataStore;
  readonly objectStore?: ObjectStore | undefined;
}

function tiering(config: BrokerConfig, cloud: TierCloud | undefined): cloud is Required<TierCloud> {
  return config.tierEnable && cloud?.objectStore !== undefined;
}

/** The store config with the tier's settings: flushDiskType as configured, local retention by tier bytes. */
export function tieredStoreConfig(
  config: BrokerConfig,
  base: MessageStoreConfig,
  cloud: TierCloud | undefined,
): MessageStoreConfig {
  const flushDiskType = config.flushDiskType as FlushDiskType;
  if (flushDiskType === "objectStore" && !tiering(config, cloud))
    throw new StratusError(
      "CONFIG_INVALID",
      "flushDiskType=objectStore needs a cloud with an object store (stratus dev --cloud embedded|aws) and tierEnable=true",
    );
  if (!tiering(config, cloud)) return base;
  const local = config.tierLocalRetentionBytes;
  const maxCommitLogBytes =
    local > 0 && base.maxCommitLogBytes > 0
      ? Math.min(local, base.maxCommitLogBytes)
      : local || base.maxCommitLogBytes;
  return { ...base, flushDiskType, maxCommitLogBytes };
}

/** Creates the broker's TierService and attaches it to `store` (before the store starts), or undefined. */
export function attachBrokerTier(
  config: BrokerConfig,
  store: DefaultMessageStore,
  cloud: TierCloud | undefined,
): TierService | undefined {
  if (!tiering(config, cloud)) return undefined;
  const tier = new TierService({
    log: store,
    objects: cloud.objectStore,
    metadata: cloud.metadataStore,
    config: {
      brokerClusterName: config.brokerClusterName,
      brokerName: config.brokerName,
      chunkBytes: config.tierChunkBytes,
      chunkMaxAgeMs: config.tierChunkMaxAgeMs,
      commitLingerMs: config.tierCommitLingerMs,
      localBudgetBytes: config.tierLocalBudgetBytes,
      objectStoreRetentionHours: config.objectStoreRetentionHours,
      readCacheBytes: config.tierReadCacheBytes,
      delayLevels: parseDelayLevels(config.messageDelayLevel),
    },
    warn: (m) => process.stderr.write(`stratus broker ${config.brokerName}: ${m}\n`),
  });
  store.attachTier(tier);
  return tier;
}
