/**
 * The broker's in-memory view of its tier manifest: committed chunks in CommitLog order, and per topic-queue
 * the queue-offset span each chunk holds, so that a CommitLog offset or a queue offset finds its chunk with a
 * binary search and no request. Built from the manifest at start (rebuild after a lost disk) and extended as
 * the uploader commits chunks. What a chunk's manifest record carries beyond the helper's fields (`details`)
 * is defined here.
 */
import { StratusError } from "../common/errors.js";
import { MAX_TIER_INDEXED_CHUNKS } from "../common/limits.js";
import type { MetadataStore } from "../ports/metadata-store.js";
import type { JsonObject } from "../ports/records/record-codec.js";
import { getTierManifestHead, listTierChunks, type TierChunk } from "../ports/records/tier-manifest.js";
import type { QueueRange } from "../store/tier-hooks.js";

export interface ChunkQueueSpan {
  readonly topic: string;
  readonly queueId: number;
  readonly first: number;
  readonly count: number;
}

export interface IndexedChunk {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly objectKey: string;
  /** CommitLog bytes at the head of the object; the chunk index follows them. */
  readonly dataBytes: number;
  readonly indexBytes: number;
  readonly crc32: number;
  readonly minStoreTimestamp: number;
  readonly maxStoreTimestamp: number;
  readonly queues: readonly ChunkQueueSpan[];
}

/** Queue offsets [first, end) of one queue held by one chunk. */
export interface QueueSpan {
  first: number;
  end: number;
  chunk: IndexedChunk;
}

interface QueueSpans {
  topic: string;
  queueId: number;
  spans: QueueSpan[];
}

/** The manifest record's `details` for a chunk. */
export function chunkDetails(c: IndexedChunk): JsonObject {
  return {
    v: 1,
    dataBytes: c.dataBytes,
    indexBytes: c.indexBytes,
    crc32: c.crc32,
    minTs: c.minStoreTimestamp,
    maxTs: c.maxStoreTimestamp,
    queues: c.queues.map((q) => [q.topic, q.queueId, q.first, q.count]),
  };
}

function bad(chunk: TierChunk, why: string): StratusError {
  return new StratusError("STORE_CORRUPT", `tier manifest chunk ${chunk.startOffset}: ${why}`);
}

function num(chunk: TierChunk, d: JsonObject, name: string): number {
  const v = d[name];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw bad(chunk, `${name} is not a count`);
  return v;
}

export function indexedChunkOf(chunk: TierChunk): IndexedChunk {
  const d = chunk.details;
  const queues = d.queues;
  if (!Array.isArray(queues)) throw bad(chunk, "no queues");
  return {
    startOffset: chunk.startOffset,
    endOffset: chunk.endOffset,
    objectKey: chunk.objectKey,
    dataBytes: num(chunk, d, "dataBytes"),
    indexBytes: num(chunk, d, "indexBytes"),
    crc32: num(chunk, d, "crc32"),
    minStoreTimestamp: num(chunk, d, "minTs"),
    maxStoreTimestamp: num(chunk, d, "maxTs"),
    queues: queues.map((q) => {
      const [topic, queueId, first, count] = Array.isArray(q) ? q : [];
      if (typeof topic !== "string" || ![queueId, first, count].every((n) => Number.isSafeInteger(n)))
        throw bad(chunk, "malformed queue span");
      return { topic, queueId: queueId as number, first: first as number, count: count as number };
    }),
  };
}

const key = (topic: string, queueId: number) => `${topic}\u0001${queueId}`;

export class TierIndex {
  private readonly chunks: IndexedChunk[] = [];
  private readonly queues = new Map<string, QueueSpans>();
  /** CommitLog offset below which every record is in committed chunks (or a blank segment tail). */
  committedOffset = 0;

  get chunkCount(): number {
    return this.chunks.length;
  }

  add(chunk: IndexedChunk): void {
    const last = this.chunks[this.chunks.length - 1];
    if (last && chunk.startOffset < last.endOffset)
      throw new StratusError("STORE_CORRUPT", `tier chunk ${chunk.startOffset} overlaps ${last.startOffset}`);
    if (this.chunks.length >= MAX_TIER_INDEXED_CHUNKS)
      throw new StratusError("LIMIT_EXCEEDED", `more than ${MAX_TIER_INDEXED_CHUNKS} tier chunks`);
    this.chunks.push(chunk);
    for (const q of chunk.queues) {
      let spans = this.queues.get(key(q.topic, q.queueId));
      if (!spans) {
        spans = { topic: q.topic, queueId: q.queueId, spans: [] };
        this.queues.set(key(q.topic, q.queueId), spans);
      }
      spans.spans.push({ first: q.first, end: q.first + q.count, chunk });
    }
    this.committedOffset = Math.max(this.committedOffset, chunk.endOffset);
  }

  /** The chunk holding CommitLog offset `phy`. */
  chunkAt(phy: number): IndexedChunk | undefined {
    const i = lastAtOrBefore(this.chunks, phy, (c) => c.startOffset);
    const c = i >= 0 ? this.chunks[i] : undefined;
    return c && phy < c.endOffset ? c : undefined;
  }

  /** The chunk after `chunk` (for read-ahead across chunks). */
  after(chunk: IndexedChunk): IndexedChunk | undefined {
    const i = lastAtOrBefore(this.chunks, chunk.startOffset, (c) => c.startOffset);
    return i >= 0 ? this.chunks[i + 1] : undefined;
  }

  /** The chunk holding queue offset `q` of a queue, with the span's first offset. */
  spanAt(topic: string, queueId: number, q: number): { chunk: IndexedChunk; first: number } | undefined {
    const spans = this.queues.get(key(topic, queueId))?.spans ?? [];
    const i = lastAtOrBefore(spans, q, (s) => s.first);
    const s = i >= 0 ? spans[i] : undefined;
    return s && q < s.end ? { chunk: s.chunk, first: s.first } : undefined;
  }

  /** A queue's spans, oldest first (chunk store times rise along them). */
  queueSpans(topic: string, queueId: number): readonly QueueSpan[] {
    return this.queues.get(key(topic, queueId))?.spans ?? [];
  }

  queueRange(topic: string, queueId: number): QueueRange | undefined {
    const spans = this.queues.get(key(topic, queueId))?.spans;
    const first = spans?.[0];
    const last = spans?.[spans.length - 1];
    return first && last ? { minOffset: first.first, maxOffset: last.end } : undefined;
  }

  topicQueues(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const q of this.queues.values()) {
      const ids = out.get(q.topic) ?? [];
      ids.push(q.queueId);
      out.set(q.topic, ids);
    }
    return out;
  }

  oldest(): IndexedChunk | undefined {
    return this.chunks[0];
  }

  /** Chunks newest first. */
  *newestFirst(): Iterable<IndexedChunk> {
    for (let i = this.chunks.length - 1; i >= 0; i--) yield this.chunks[i] as IndexedChunk;
  }

  /** Forgets the oldest chunk (object-store retention removed it). */
  dropOldest(): IndexedChunk | undefined {
    const c = this.chunks.shift();
    if (!c) return undefined;
    for (const q of c.queues) {
      const spans = this.queues.get(key(q.topic, q.queueId));
      if (!spans) continue;
      spans.spans = spans.spans.filter((s) => s.chunk !== c);
      if (spans.spans.length === 0) this.queues.delete(key(q.topic, q.queueId));
    }
    return c;
  }
}

/** Index of the last element whose key is <= `v` (-1 if none); `items` is sorted by key. */
function lastAtOrBefore<T>(items: readonly T[], v: number, keyOf: (t: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(items[mid] as T) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Reads a broker's manifest (head and every chunk, in offset order) into a TierIndex. */
export async function loadTierIndex(
  metadata: MetadataStore,
  brokerName: string,
  index: TierIndex = new TierIndex(),
): Promise<{ index: TierIndex; headVersion: number | undefined; headDetails: JsonObject }> {
  if (index.chunkCount > 0) throw new StratusError("ILLEGAL_ARGUMENT", "tier index already loaded");
  const head = await getTierManifestHead(metadata, brokerName);
  let cursor: string | undefined;
  do {
    const page = await listTierChunks(metadata, brokerName, { cursor });
    for (const c of page.chunks) index.add(indexedChunkOf(c));
    cursor = page.cursor;
  } while (cursor !== undefined);
  if (head) index.committedOffset = Math.max(index.committedOffset, head.value.committedOffset);
  return { index, headVersion: head?.version, headDetails: head?.value.details ?? {} };
}
