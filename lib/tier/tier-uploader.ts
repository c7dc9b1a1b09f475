/**
 * The tier uploader: cuts the local CommitLog into chunks and commits each one — PUT the object (CommitLog bytes
 * + chunk index), HEAD it to verify its size, then record it in the manifest with a conditional transaction —
 * strictly in CommitLog order, one chunk at a time (the manifest head's version serialises commits).
 *
 * When: a chunk is cut once tierChunkBytes wait, once the oldest waiting byte is tierChunkMaxAgeMs old, once an
 * objectStore-mode send has waited tierCommitLingerMs (so the sends arriving meanwhile share the PUT), and at
 * once while draining. A chunk never spans two segments; a segment's blank tail is skipped.
 *
 * Faults: a failed PUT, HEAD or manifest commit is retried with exponential backoff (capped at
 * TIER_RETRY_MAX_MS, jittered); the failure is kept for admission's remark. A manifest commit that fails its
 * condition is checked against the manifest: our own earlier attempt whose answer was lost counts as done;
 * anything else means another process writes this broker's manifest, and the uploader stops (fenced).
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { crc32 } from "node:zlib";
import type { Clock } from "../common/clock.js";
import { isStratusError, StratusError } from "../common/errors.js";
import { MAX_TIER_CHUNK_QUEUES, TIER_RETRY_MAX_MS } from "../common/limits.js";
import type { Random } from "../common/random.js";
import type { MetadataStore } from "../ports/metadata-store.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { JsonObject } from "../ports/records/record-codec.js";
import {
  commitTierChunk,
  findTierChunk,
  getTierManifestHead,
  tierHeadKey,
} from "../ports/records/tier-manifest.js";
import { BLANK_MAGIC_CODE, MAGIC_CODE_POS } from "../protocol/message-record.js";
import { alignUpToSegment, type LocalCommitLog } from "../store/tier-hooks.js";
import { ChunkCutter } from "./chunk-builder.js";
import { encodeChunkIndex } from "./chunk-index-codec.js";
import { chunkObjectKey } from "./object-keys.js";
import type { TierConfig } from "./tier-config.js";
import { chunkDetails, type IndexedChunk, type TierIndex } from "./tier-index.js";

const RETRY_BASE_MS = 100;
/** After progress is reported with no chunk to carry it, how long until the head is written on its own. */
export const TIER_HEAD_PROGRESS_DELAY_MS = 200;
/** CommitLog records a chunk cut walks before it lets other work run (about 5 ms of decoding). */
const CUT_RECORDS_PER_TURN = 256;

export interface TierUploaderParts {
  log: LocalCommitLog;
  objects: ObjectStore;
  metadata: MetadataStore;
  index: TierIndex;
  config: Readonly<TierConfig>;
  clock: Clock;
  random: Random;
  /** The manifest head's version (undefined: no head yet). */
  headVersion: number | undefined;
  /** The manifest head's details to write with a chunk ending at CommitLog offset `end`. */
  headDetails: (end: number) => JsonObject;
  /** Whether headDetails(end) would record something the head lacks (then a head-only write is due). */
  headDirty: (end: number) => boolean;
  /** After each commit (the service runs local retention). */
  onCommitted: (chunk: IndexedChunk) => void;
  warn: (message: string) => void;
}

interface Job {
  chunk: IndexedChunk;
  body: Buffer;
  put: boolean;
}

interface Waiter {
  end: number;
  /** Monotonic ms when the send started waiting. */
  since: number;
  resolve: (ok: boolean) => void;
  timer: NodeJS.Timeout;
}

export interface UploadFailure {
  sinceMs: number;
  attempts: number;
  error: string;
}

export class TierUploader {
  /** CommitLog offset where the next chunk starts. */
  private next: number;
  private headVersion: number | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private draining = false;
  private timer: NodeJS.Timeout | undefined;
  private pendingSince: number | undefined;
  private waiters: Waiter[] = [];
  private wakeSleep: (() => void) | undefined;
  private headTimer: NodeJS.Timeout | undefined;
  private headWanted = false;
  failure: UploadFailure | undefined;
  fenced: string | undefined;

  constructor(private readonly p: TierUploaderParts) {
    this.next = p.index.committedOffset;
    this.headVersion = p.headVersion;
  }

  /** Bytes of local CommitLog the object store does not hold yet. */
  pendingBytes(): number {
    const log = this.p.log;
    return Math.max(0, log.getMaxPhyOffset() - Math.max(this.next, log.getMinPhyOffset()));
  }

  /** Looks at the policy now: uploads if a chunk is due, else arms a timer for when one will be. */
  poke(): void {
    if (this.stopped || this.fenced || this.running) return;
    const job = this.due() ? () => this.run() : this.headDue() ? () => this.writeHead() : undefined;
    if (job) {
      this.running = job().finally(() => {
        this.running = undefined;
        this.poke();
      });
      return;
    }
    this.arm();
  }

  /**
   * The head's details have news (headDirty): a chunk commit carries them; with none coming soon, the head is
   * written on its own after TIER_HEAD_PROGRESS_DELAY_MS (many reports share one write).
   */
  headChanged(): void {
    if (this.headTimer || this.stopped) return;
    this.headTimer = setTimeout(() => {
      this.headTimer = undefined;
      this.headWanted = true;
      this.poke();
    }, TIER_HEAD_PROGRESS_DELAY_MS);
    this.headTimer.unref();
  }

  private headDue(): boolean {
    if (!this.headWanted) return false;
    if (this.headVersion !== undefined && this.p.headDirty(this.p.index.committedOffset)) return true;
    this.headWanted = false;
    return false;
  }

  /** The head as it is, with the details' news: a conditional write on the version this process wrote. */
  private async writeHead(): Promise<void> {
    const { metadata, config, index } = this.p;
    this.headWanted = false;
    const end = index.committedOffset;
    const head = { committedOffset: end, chunkCount: index.chunkCount, details: this.p.headDetails(end) };
    try {
      const key = tierHeadKey(config.brokerName);
      const outcome = await metadata.putIfVersion(key, head, this.headVersion as number);
      if (outcome.ok) this.headVersion = outcome.version;
      else {
        this.fenced = `the tier manifest head of broker ${config.brokerName} moved under this process: another broker process with the same brokerName is uploading; this one stopped uploading`;
        this.p.warn(this.fenced);
      }
    } catch (e) {
      // the next chunk's commit carries the details (they are cumulative); if the write went through and only
      // its answer was lost, take the version it wrote, or that commit would find the head moved
      this.noteFailure(e);
      const now = await getTierManifestHead(metadata, config.brokerName).catch(() => undefined);
      if (now && now.value.committedOffset === end) this.headVersion = now.version;
    }
  }

  /** Resolves true once every byte below `end` is committed, false after `timeoutMs`. */
  waitCommitted(end: number, timeoutMs: number): Promise<boolean> {
    if (end <= this.p.index.committedOffset) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w: Waiter = {
        end,
        since: this.p.clock.monotonicMs(),
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          resolve(false);
        }, timeoutMs),
      };
      w.timer.unref();
      this.waiters.push(w);
      this.poke();
    });
  }

  private due(): boolean {
    if (this.pendingBytes() === 0) {
      this.pendingSince = undefined;
      return false;
    }
    if (this.draining || this.pendingBytes() >= this.p.config.chunkBytes) return true;
    const now = this.p.clock.monotonicMs();
    this.pendingSince ??= now;
    return now >= this.deadline(now);
  }

  /** When the next chunk is due by age or by a waiting objectStore send. */
  private deadline(now: number): number {
    const byAge = (this.pendingSince ?? now) + this.p.config.chunkMaxAgeMs;
    const first = this.waiters[0];
    return first ? Math.min(byAge, first.since + this.p.config.commitLingerMs) : byAge;
  }

  private arm(): void {
    if (this.timer || this.pendingBytes() === 0) return;
    const now = this.p.clock.monotonicMs();
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.poke();
      },
      Math.max(1, this.deadline(now) - now),
    );
    this.timer.unref();
  }

  private async run(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (!this.stopped && !this.fenced && this.due()) {
      let job: Job | undefined;
      try {
        job = await this.cut();
      } catch (e) {
        // a record the uploader cannot read back is not skipped: nothing behind it may be deleted
        this.noteFailure(e);
        await this.sleep(TIER_RETRY_MAX_MS);
        continue;
      }
      if (!job) break;
      await this.upload(job);
    }
  }

  /** The next chunk from the local CommitLog, or undefined if nothing is waiting. */
  private async cut(): Promise<Job | undefined> {
    const { log, config, index } = this.p;
    const seg = log.commitLogSegmentSize;
    for (;;) {
      const max = log.getMaxPhyOffset();
      const next = Math.max(this.next, log.getMinPhyOffset());
      if (next >= max) return undefined;
      const segEnd = alignUpToSegment(next + 1, seg);
      const head = next + 8 <= segEnd ? log.readCommitLog(next, 8) : undefined;
      if (!head || head.readInt32BE(MAGIC_CODE_POS) === BLANK_MAGIC_CODE) {
        if (max < segEnd) return undefined;
        this.next = segEnd;
        index.committedOffset = Math.max(index.committedOffset, segEnd);
        continue;
      }
      const want = Math.min(Math.min(max, segEnd) - next, Math.max(config.chunkBytes, head.readInt32BE(0)));
      const bytes = log.readCommitLog(next, want);
      if (!bytes) return undefined;
      return this.build(bytes, next);
    }
  }

  private async build(bytes: Buffer, start: number): Promise<Job> {
    const { config } = this.p;
    const cutter = new ChunkCutter(bytes, start, {
      maxBytes: config.chunkBytes,
      maxQueues: MAX_TIER_CHUNK_QUEUES,
      delayLevels: config.delayLevels,
    });
    // sends and pulls run between the steps: a whole 8 MiB chunk at once held the event loop 100-200 ms
    while (!cutter.step(CUT_RECORDS_PER_TURN)) await nextTurn();
    const cut = cutter.result();
    if (cut.length === 0) throw new StratusError("STORE_CORRUPT", `no whole CommitLog record at ${start}`);
    const indexBuf = encodeChunkIndex(cut.index);
    const body = Buffer.concat([bytes.subarray(0, cut.length), indexBuf]);
    const end = start + cut.length;
    const chunk: IndexedChunk = {
      startOffset: start,
      endOffset: end,
      objectKey: chunkObjectKey(config.brokerClusterName, config.brokerName, start, end),
      dataBytes: cut.length,
      indexBytes: indexBuf.length,
      crc32: crc32(body),
      minStoreTimestamp: cut.minStoreTimestamp,
      maxStoreTimestamp: cut.maxStoreTimestamp,
      queues: cut.index.queues.map((q) => ({
        topic: q.topic,
        queueId: q.queueId,
        first: q.firstQueueOffset,
        count: q.units.length / 20,
      })),
    };
    return { chunk, body, put: false };
  }

  /** PUT, verify, commit; retried until it succeeds or the uploader stops. */
  private async upload(job: Job): Promise<void> {
    const { objects } = this.p;
    const key = job.chunk.objectKey;
    for (let attempt = 0; !this.stopped && !this.fenced; attempt++) {
      try {
        if (!job.put) {
          await objects.put(key, job.body);
          const head = await objects.head(key);
          if (head?.size !== job.body.length)
            throw new StratusError(
              "OBJECT_STORE_UNAVAILABLE",
              `${key} reads back as ${head?.size ?? "missing"}`,
            );
          job.put = true;
        }
        await this.commit(job.chunk, job.body.length);
        this.committed(job.chunk);
        return;
      } catch (e) {
        if (this.fenced) return;
        this.noteFailure(e);
        await this.sleep(this.backoff(attempt));
      }
    }
  }

  private async commit(chunk: IndexedChunk, sizeBytes: number): Promise<void> {
    const { metadata, config, clock, log, index } = this.p;
    const seg = log.commitLogSegmentSize;
    const outcome = await commitTierChunk(
      metadata,
      config.brokerName,
      {
        startOffset: chunk.startOffset,
        endOffset: chunk.endOffset,
        segmentBaseOffset: chunk.startOffset - (chunk.startOffset % seg),
        objectKey: chunk.objectKey,
        sizeBytes,
        createdAtMs: clock.nowMs(),
        details: chunkDetails(chunk),
      },
      {
        committedOffset: chunk.endOffset,
        chunkCount: index.chunkCount + 1,
        details: this.p.headDetails(chunk.endOffset),
      },
      this.headVersion ?? "absent",
    );
    if (outcome.ok) {
      this.headVersion = outcome.version;
      return;
    }
    const head = await getTierManifestHead(metadata, config.brokerName);
    const found = await findTierChunk(metadata, config.brokerName, chunk.startOffset);
    const ours = found?.objectKey === chunk.objectKey && found.details.crc32 === chunk.crc32;
    if (ours && head && head.value.committedOffset >= chunk.endOffset) {
      this.headVersion = head.version;
      return;
    }
    this.fenced =
      `the tier manifest of broker ${config.brokerName} moved under this process (head at ` +
      `${head?.value.committedOffset ?? "none"}, this chunk starts at ${chunk.startOffset}): another broker ` +
      `process with the same brokerName is uploading; this one stopped uploading`;
    this.p.warn(this.fenced);
    throw new StratusError("CONFIG_INVALID", this.fenced);
  }

  private committed(chunk: IndexedChunk): void {
    this.p.index.add(chunk);
    this.next = chunk.endOffset;
    this.failure = undefined;
    this.pendingSince = this.pendingBytes() > 0 ? this.p.clock.monotonicMs() : undefined;
    const committed = this.p.index.committedOffset;
    while (this.waiters.length > 0 && (this.waiters[0] as Waiter).end <= committed) {
      const w = this.waiters.shift() as Waiter;
      clearTimeout(w.timer);
      w.resolve(true);
    }
    this.p.onCommitted(chunk);
  }

  private noteFailure(e: unknown): void {
    const error = isStratusError(e) ? `${e.code}: ${e.message}` : String(e);
    if (!this.failure) {
      this.failure = { sinceMs: this.p.clock.nowMs(), attempts: 0, error };
      this.p.warn(`tier upload failing, will retry with backoff: ${error}`);
    }
    this.failure.attempts++;
    this.failure.error = error;
  }

  private backoff(attempt: number): number {
    const ms = Math.min(TIER_RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(attempt, 16));
    return Math.floor(ms / 2) + this.p.random.int(Math.floor(ms / 2) + 1);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakeSleep = done;
    });
  }

  /** Uploads everything local until nothing is pending or `timeoutMs` passed; returns whether it all went. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    const deadline = this.p.clock.monotonicMs() + timeoutMs;
    this.wakeSleep?.();
    this.poke();
    while (this.pendingBytes() > 0 && !this.fenced && this.p.clock.monotonicMs() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
      this.poke();
    }
    return this.pendingBytes() === 0;
  }

  /** Stops uploading (an upload in flight finishes or gives up) and answers waiting sends with false. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.headTimer) clearTimeout(this.headTimer);
    this.wakeSleep?.();
    await this.running;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
  }
}
