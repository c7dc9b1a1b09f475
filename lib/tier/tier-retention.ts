/**
 * Object-store retention (objectStoreRetentionHours), separate from local retention: the oldest chunks whose
 * newest record is older than the retention are removed — manifest record first (so a restarted broker never
 * finds a chunk whose object is gone), then the in-memory index and cache, then the object. A failed object
 * delete leaves an orphan object, which is reported; nothing references it any more.
 */
import type { Clock } from "../common/clock.js";
import { MAX_TIER_CHUNKS_EXPIRED_PER_RUN } from "../common/limits.js";
import type { MetadataStore } from "../ports/metadata-store.js";
import type { ObjectStore } from "../ports/object-store.js";
import { deleteTierChunk } from "../ports/records/tier-manifest.js";
import type { TierIndex } from "./tier-index.js";
import type { TierReader } from "./tier-reader.js";

export interface TierRetentionParts {
  index: TierIndex;
  reader: TierReader;
  metadata: MetadataStore;
  objects: ObjectStore;
  brokerName: string;
  clock: Clock;
  retentionHours: number;
  warn: (message: string) => void;
}

/** One pass; returns the chunks removed. */
export async function expireTierChunks(p: TierRetentionParts): Promise<number> {
  if (p.retentionHours <= 0) return 0;
  const cutoff = p.clock.nowMs() - p.retentionHours * 3_600_000;
  let removed = 0;
  while (removed < MAX_TIER_CHUNKS_EXPIRED_PER_RUN) {
    const chunk = p.index.oldest();
    if (!chunk || chunk.maxStoreTimestamp >= cutoff) break;
    // CONDITION_FAILED means the record is already gone (an earlier pass died after deleting it)
    await deleteTierChunk(p.metadata, p.brokerName, chunk.startOffset);
    p.index.dropOldest();
    p.reader.forget(chunk);
    removed++;
    try {
      await p.objects.delete(chunk.objectKey);
    } catch (e) {
      p.warn(`tier retention: ${chunk.objectKey} left behind (no longer in the manifest): ${String(e)}`);
    }
  }
  return removed;
}
