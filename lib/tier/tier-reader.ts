/**
 * Reads tiered history from the object store for the store's ColdReader hook. A chunk object is its CommitLog
 * bytes followed by its chunk index; both are fetched with range reads: the index whole (decoded once, cached),
 * the bytes in TIER_READ_BLOCK_BYTES blocks, so a pull reads a block or two and the next pulls of the same
 * consumer hit the cache. After a pull the reader fetches TIER_READ_AHEAD_BLOCKS blocks ahead (crossing into
 * the next chunk), so a consumer catching up reads at the object store's throughput, not its latency. Blocks
 * and indexes share one bounded cache (tierReadCacheBytes).
 *
 * Every record handed out is checked against what asked for it (size and physical-offset fields), so a wrong
 * range or a damaged object shows up as "not found" or STORE_CORRUPT, never as someone else's message.
 */
import { StratusError } from "../common/errors.js";
import { MAX_TIER_QUERY_CHUNKS, TIER_READ_AHEAD_BLOCKS, TIER_READ_BLOCK_BYTES } from "../common/limits.js";
import type { ObjectStore } from "../ports/object-store.js";
import {
  isMessageMagic,
  MAGIC_CODE_POS,
  MIN_RECORD_BYTES,
  readRecordPhysicalOffset,
  readRecordStoreTimestamp,
} from "../protocol/message-record.js";
import { RECORD_HEAD_BYTES } from "../store/commitlog/commit-log.js";
import { decodeConsumeQueueUnit, isHoleUnit } from "../store/consumequeue/consume-queue-unit.js";
import { indexKeyHash } from "../store/index/index-file-codec.js";
import { buildIndexKey } from "../store/index/index-service.js";
import { CQ_STORE_UNIT_SIZE } from "../store/store-config.js";
import type { ColdReader, QueueRange, RecordRef } from "../store/tier-hooks.js";
import { type ChunkIndex, type ChunkQueue, decodeChunkIndex } from "./chunk-index-codec.js";
import { TierCache, type TierCacheStats } from "./tier-cache.js";
import type { IndexedChunk, QueueSpan, TierIndex } from "./tier-index.js";

/** Chunk indexes fetched at once by a query. */
const QUERY_FETCH_CONCURRENCY = 8;

interface DecodedIndex {
  raw: number;
  index: ChunkIndex;
  byQueue: Map<string, ChunkQueue>;
}

type Cached = Buffer | DecodedIndex;

/** The chunk bytes a record occupies and the cache keys of the blocks holding them. */
interface BlockSpan {
  chunk: IndexedChunk;
  from: number;
  to: number;
  keys: string[];
}

interface BlockPlan {
  /** Per ref: its span, or undefined when no chunk holds all of it. */
  spans: (BlockSpan | undefined)[];
  /** Blocks at hand by key. */
  blocks: Map<string, Buffer>;
  /** Blocks still loading. */
  pending: { key: string; load: Promise<Buffer> }[];
}

const queueKey = (topic: string, queueId: number) => `${topic}\u0001${queueId}`;

export class TierReader implements ColdReader {
  private readonly cache: TierCache<Cached>;

  constructor(
    private readonly objects: ObjectStore,
    private readonly index: TierIndex,
    cacheBytes: number,
  ) {
    this.cache = new TierCache<Cached>(cacheBytes, (v) => (Buffer.isBuffer(v) ? v.length : v.raw));
  }

  committedOffset(): number {
    return this.index.committedOffset;
  }

  queueRange(topic: string, queueId: number): QueueRange | undefined {
    return this.index.queueRange(topic, queueId);
  }

  topicQueues(): Map<string, number[]> {
    return this.index.topicQueues();
  }

  cacheStats(): TierCacheStats {
    return this.cache.stats();
  }

  /** Forgets what is cached of a chunk (retention removed it). */
  forget(chunk: IndexedChunk): void {
    this.cache.evictPrefix(`${chunk.objectKey}#`);
  }

  async readUnits(topic: string, queueId: number, q: number, maxUnits: number): Promise<Buffer | undefined> {
    const span = this.index.spanAt(topic, queueId, q);
    if (!span || maxUnits <= 0) return undefined;
    const idx = await this.chunkIndex(span.chunk);
    const queue = idx.byQueue.get(queueKey(topic, queueId));
    if (!queue || q < queue.firstQueueOffset)
      throw corrupt(span.chunk, `holds no units of ${topic}/${queueId} at ${q}`);
    const from = (q - queue.firstQueueOffset) * CQ_STORE_UNIT_SIZE;
    if (from >= queue.units.length) return undefined;
    return queue.units.subarray(from, Math.min(queue.units.length, from + maxUnits * CQ_STORE_UNIT_SIZE));
  }

  /**
   * The records `refs` point at, in order. The blocks they need are looked up once per pull, not once per
   * record: a pull of 32 records usually touches one or two blocks, and cached blocks are sliced without a
   * promise per record.
   */
  async readRecords(refs: readonly RecordRef[]): Promise<(Buffer | undefined)[]> {
    const plan = this.planBlocks(refs);
    const loaded = plan.pending.length === 0 ? [] : await Promise.all(plan.pending.map((p) => p.load));
    for (const [i, p] of plan.pending.entries()) plan.blocks.set(p.key, loaded[i] as Buffer);
    const out = refs.map((r, i) => {
      const span = plan.spans[i];
      if (!span) return undefined;
      const buf = this.sliceBlocks(plan.blocks, span);
      return isRecordAt(buf, r.phy, r.size) ? buf : undefined;
    });
    const last = refs[refs.length - 1];
    if (last) this.readAhead(last.phy + last.size);
    return out;
  }

  /** Which chunk bytes each ref covers and the blocks that holds them: cached ones at hand, the rest loading. */
  private planBlocks(refs: readonly RecordRef[]): BlockPlan {
    const plan: BlockPlan = { spans: [], blocks: new Map(), pending: [] };
    let chunk: IndexedChunk | undefined;
    // consecutive records mostly share a block: reuse its key instead of building one per record
    let keyOf: { chunk: IndexedChunk; b: number; key: string } | undefined;
    for (const r of refs) {
      if (!chunk || r.phy < chunk.startOffset || r.phy >= chunk.endOffset) chunk = this.index.chunkAt(r.phy);
      if (!chunk || r.phy + r.size > chunk.endOffset || r.size <= 0) {
        plan.spans.push(undefined);
        continue;
      }
      const from = r.phy - chunk.startOffset;
      const span: BlockSpan = { chunk, from, to: from + r.size, keys: [] };
      const last = Math.floor((span.to - 1) / TIER_READ_BLOCK_BYTES);
      for (let b = Math.floor(from / TIER_READ_BLOCK_BYTES); b <= last; b++) {
        if (keyOf?.chunk !== chunk || keyOf.b !== b) keyOf = { chunk, b, key: blockKey(chunk, b) };
        const key = keyOf.key;
        span.keys.push(key);
        if (plan.blocks.has(key) || plan.pending.some((p) => p.key === key)) continue;
        const cached = this.cache.peek(key);
        if (cached) plan.blocks.set(key, cached as Buffer);
        else plan.pending.push({ key, load: this.block(chunk, b) });
      }
      plan.spans.push(span);
    }
    return plan;
  }

  /** Bytes [span.from, span.to) of its chunk out of the planned blocks (a copy only across a block edge). */
  private sliceBlocks(blocks: Map<string, Buffer>, span: BlockSpan): Buffer {
    return blockRange(
      span.keys.map((k) => blocks.get(k) as Buffer),
      span.from,
      span.to,
    );
  }

  async readRecord(phy: number): Promise<Buffer | undefined> {
    const head = await this.readAt(phy, 8, false);
    if (!head || !isMessageMagic(head.readInt32BE(MAGIC_CODE_POS))) return undefined;
    const size = head.readInt32BE(0);
    return size >= MIN_RECORD_BYTES ? this.readAt(phy, size) : undefined;
  }

  async storeTimeAt(topic: string, queueId: number, q: number): Promise<number> {
    const raw = await this.readUnits(topic, queueId, q, 1);
    if (!raw || raw.length < CQ_STORE_UNIT_SIZE) return -1;
    const unit = decodeConsumeQueueUnit(raw, 0);
    if (isHoleUnit(unit)) return -1;
    const head = await this.readAt(unit.commitLogOffset, Math.min(unit.size, RECORD_HEAD_BYTES), false);
    if (!head || head.readInt32BE(0) !== unit.size || !isMessageMagic(head.readInt32BE(MAGIC_CODE_POS)))
      return -1;
    if (readRecordPhysicalOffset(head, 0) !== unit.commitLogOffset) return -1;
    return readRecordStoreTimestamp(head, 0);
  }

  /**
   * Narrows to one chunk with the manifest's per-chunk store-time ranges (a binary search over the queue's
   * spans, no request), then binary-searches that chunk's units, reading each probe's store time with a range
   * read. Store times rise with CommitLog offsets, so the first span whose chunk ends at or after `ts` holds the
   * answer or ends just before it.
   */
  async firstOffsetByTime(
    topic: string,
    queueId: number,
    ts: number,
    strict: boolean,
  ): Promise<number | undefined> {
    const spans = this.index.queueSpans(topic, queueId);
    const last = spans[spans.length - 1];
    if (!last) return undefined;
    const after = (t: number) => (strict ? t > ts : t >= ts);
    let lo = 0;
    let hi = spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (after((spans[mid] as QueueSpan).chunk.maxStoreTimestamp)) hi = mid;
      else lo = mid + 1;
    }
    const span = spans[lo];
    if (!span) return last.end;
    if (after(span.chunk.minStoreTimestamp)) return span.first;
    let a = span.first;
    let b = span.end;
    while (a < b) {
      const mid = a + Math.floor((b - a) / 2);
      if (after(await this.storeTimeAt(topic, queueId, mid))) b = mid;
      else a = mid + 1;
    }
    return a;
  }

  async queryOffsets(
    topic: string,
    key: string,
    maxNum: number,
    range: { begin: number; end: number; belowOffset: number },
  ): Promise<number[]> {
    const hash = indexKeyHash(buildIndexKey(topic, key));
    const candidates: IndexedChunk[] = [];
    for (const c of this.index.newestFirst()) {
      if (candidates.length >= MAX_TIER_QUERY_CHUNKS) break;
      if (c.startOffset >= range.belowOffset) continue;
      if (c.maxStoreTimestamp < range.begin || c.minStoreTimestamp > range.end) continue;
      candidates.push(c);
    }
    const out: number[] = [];
    for (let i = 0; i < candidates.length && out.length < maxNum; i += QUERY_FETCH_CONCURRENCY) {
      const batch = candidates.slice(i, i + QUERY_FETCH_CONCURRENCY);
      const indexes = await Promise.all(batch.map((c) => this.chunkIndex(c)));
      for (const idx of indexes) {
        const keys = idx.index.keys;
        for (let k = keys.length - 1; k >= 0 && out.length < maxNum; k--) {
          const e = keys[k];
          if (!e || e.hash !== hash || e.phy >= range.belowOffset) continue;
          if (e.storeTimestamp >= range.begin && e.storeTimestamp <= range.end) out.push(e.phy);
        }
      }
    }
    return out;
  }

  /**
   * `size` bytes at CommitLog offset `phy`, if a chunk holds them; a record (`checkRecord`) must also say it
   * is `size` bytes at `phy`.
   */
  private async readAt(phy: number, size: number, checkRecord = true): Promise<Buffer | undefined> {
    const chunk = this.index.chunkAt(phy);
    if (!chunk || phy + size > chunk.endOffset) return undefined;
    const buf = await this.readData(chunk, phy - chunk.startOffset, phy - chunk.startOffset + size);
    if (!checkRecord) return buf;
    return isRecordAt(buf, phy, size) ? buf : undefined;
  }

  /** Data bytes [from, to) of a chunk, from its cached blocks. */
  private async readData(chunk: IndexedChunk, from: number, to: number): Promise<Buffer> {
    const first = Math.floor(from / TIER_READ_BLOCK_BYTES);
    const last = Math.floor((to - 1) / TIER_READ_BLOCK_BYTES);
    const wanted: Promise<Buffer>[] = [];
    for (let b = first; b <= last; b++) wanted.push(this.block(chunk, b));
    return blockRange(await Promise.all(wanted), from, to);
  }

  private block(chunk: IndexedChunk, b: number): Promise<Buffer> {
    return this.cache.get(blockKey(chunk, b), async () => {
      const start = b * TIER_READ_BLOCK_BYTES;
      const end = Math.min(start + TIER_READ_BLOCK_BYTES, chunk.dataBytes);
      const buf = await this.objects.get(chunk.objectKey, { start, end });
      if (!buf) throw corrupt(chunk, "object is missing");
      if (buf.length !== end - start)
        throw corrupt(chunk, `block ${b} is ${buf.length} bytes, not ${end - start}`);
      return buf;
    }) as Promise<Buffer>;
  }

  private chunkIndex(chunk: IndexedChunk): Promise<DecodedIndex> {
    return this.cache.get(`${chunk.objectKey}#idx`, async () => {
      const start = chunk.dataBytes;
      const buf = await this.objects.get(chunk.objectKey, { start, end: start + chunk.indexBytes });
      if (!buf) throw corrupt(chunk, "object is missing");
      const index = decodeChunkIndex(buf);
      if (index.startOffset !== chunk.startOffset || index.endOffset !== chunk.endOffset)
        throw corrupt(chunk, `index says [${index.startOffset}, ${index.endOffset})`);
      const byQueue = new Map(index.queues.map((q) => [queueKey(q.topic, q.queueId), q]));
      return { raw: buf.length, index, byQueue };
    }) as Promise<DecodedIndex>;
  }

  /** Fetches the blocks from CommitLog offset `phy` on into the cache, in the background. */
  private readAhead(phy: number): void {
    let chunk = this.index.chunkAt(phy);
    let b = chunk ? Math.floor((phy - chunk.startOffset) / TIER_READ_BLOCK_BYTES) : 0;
    if (!chunk) {
      const prev = this.index.chunkAt(phy - 1);
      chunk = prev && this.index.after(prev);
    }
    for (let n = 0; chunk && n < TIER_READ_AHEAD_BLOCKS; n++, b++) {
      if (b * TIER_READ_BLOCK_BYTES >= chunk.dataBytes) {
        chunk = this.index.after(chunk);
        b = 0;
        if (!chunk) break;
      }
      if (!this.cache.has(blockKey(chunk, b))) this.block(chunk, b).catch(() => undefined);
    }
  }
}

/**
 * Chunk bytes [from, to) out of the consecutive blocks that hold them (the first is the block holding `from`):
 * a view inside one block, a copy of just the range across a block edge.
 */
function blockRange(blocks: readonly Buffer[], from: number, to: number): Buffer {
  const base = Math.floor(from / TIER_READ_BLOCK_BYTES) * TIER_READ_BLOCK_BYTES;
  if (blocks.length === 1) return (blocks[0] as Buffer).subarray(from - base, to - base);
  return joinRange(blocks, from - base, to - base);
}

/**
 * Bytes [from, to) of the blocks laid end to end, copied into a buffer of just that size (a record across a
 * block edge; joining the whole blocks first copied 2 MiB for a 1 KiB record).
 */
function joinRange(blocks: readonly Buffer[], from: number, to: number): Buffer {
  const out = Buffer.allocUnsafe(to - from);
  let blockStart = 0;
  let at = 0;
  for (const block of blocks) {
    const blockEnd = blockStart + block.length;
    if (blockEnd > from && blockStart < to) {
      at += block.copy(out, at, Math.max(0, from - blockStart), Math.min(block.length, to - blockStart));
    }
    blockStart = blockEnd;
  }
  return out;
}

/** The cache key of block `b` of a chunk. */
function blockKey(chunk: IndexedChunk, b: number): string {
  return `${chunk.objectKey}#b${b}`;
}

/** Whether `buf` is a whole record that says it is `size` bytes at CommitLog offset `phy`. */
function isRecordAt(buf: Buffer, phy: number, size: number): boolean {
  if (size < MIN_RECORD_BYTES || buf.length !== size || buf.readInt32BE(0) !== size) return false;
  return isMessageMagic(buf.readInt32BE(MAGIC_CODE_POS)) && readRecordPhysicalOffset(buf, 0) === phy;
}

function corrupt(chunk: IndexedChunk, why: string): StratusError {
  return new StratusError("STORE_CORRUPT", `tier chunk ${chunk.objectKey}: ${why}`);
}
