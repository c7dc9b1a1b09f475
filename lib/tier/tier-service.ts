/**
 * Tiering for one broker: the store's TierHooks (tier-hooks.ts) over the ObjectStore and MetadataStore ports.
 * Life cycle, driven by the broker:
 *
 *   const tier = new TierService({ log: store, objects, metadata, config });
 *   await tier.load();         // verify the ports, read the manifest into memory (rebuild after a lost disk)
 *   store.attachTier(tier);    // before store.start(): the store continues after the tier's end
 *   await store.start(); tier.start();
 *   ...
 *   await tier.drain(ms);      // on SIGTERM, after the server stopped taking sends: upload what is missing
 *   await tier.shutdown(); await store.shutdown();
 *
 * Admission: sends are refused (SERVICE_NOT_AVAILABLE, with the reason) while more than tierLocalBudgetBytes
 * of CommitLog wait for the object store, which happens when the object store or the MetadataStore is
 * unreachable for long; the uploader keeps retrying and sends are taken again as the backlog drains.
 */
import { type Clock, systemClock } from "../common/clock.js";
import { type Random, systemRandom } from "../common/random.js";
import type { MetadataStore } from "../ports/metadata-store.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { JsonObject } from "../ports/records/record-codec.js";
import type { ColdReader, LocalCommitLog, TierHooks } from "../store/tier-hooks.js";
import { type TierConfig, validateTierConfig } from "./tier-config.js";
import { loadTierIndex, TierIndex } from "./tier-index.js";
import { TierReader } from "./tier-reader.js";
import { expireTierChunks } from "./tier-retention.js";
import { TierUploader } from "./tier-uploader.js";

/** How often object-store retention runs. */
export const TIER_RETENTION_INTERVAL_MS = 60_000;

/** What the broker records in the manifest head (schedule-progress.ts). */
export interface TierHeadSource {
  /** The details to record with the head at CommitLog offset `end` (covering only work below `end`). */
  progressAt(end: number): JsonObject;
  /** Whether progressAt(end) would record something not recorded yet. */
  unrecorded(end: number): boolean;
}

export interface TierServiceOptions {
  log: LocalCommitLog;
  objects: ObjectStore;
  metadata: MetadataStore;
  config: TierConfig;
  clock?: Clock;
  random?: Random;
  warn?: (message: string) => void;
}

export interface TierStatus {
  committedOffset: number;
  pendingBytes: number;
  chunks: number;
  failingSinceMs?: number | undefined;
  lastError?: string | undefined;
  fenced?: string | undefined;
}

export class TierService implements TierHooks {
  readonly config: Readonly<TierConfig>;
  readonly index = new TierIndex();
  readonly reader: TierReader;
  private uploader: TierUploader | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private retentionRunning = false;
  private readonly clock: Clock;
  private readonly warn: (message: string) => void;
  private restoredDetails: JsonObject | undefined;
  private progressSource: TierHeadSource | undefined;

  constructor(private readonly o: TierServiceOptions) {
    this.config = validateTierConfig(o.config);
    this.clock = o.clock ?? systemClock;
    this.warn = o.warn ?? ((m) => process.stderr.write(`stratus: ${m}\n`));
    this.reader = new TierReader(o.objects, this.index, this.config.readCacheBytes);
  }

  get cold(): ColdReader {
    return this.reader;
  }

  /** Checks both ports (CONFIG_INVALID says what to fix) and reads the manifest. */
  async load(): Promise<void> {
    await this.o.objects.verify();
    await this.o.metadata.verify();
    const loaded = await loadTierIndex(this.o.metadata, this.config.brokerName, this.index);
    const { headVersion } = loaded;
    this.restoredDetails = loaded.headDetails;
    let details = loaded.headDetails;
    this.uploader = new TierUploader({
      log: this.o.log,
      objects: this.o.objects,
      metadata: this.o.metadata,
      index: this.index,
      config: this.config,
      clock: this.clock,
      random: this.o.random ?? systemRandom,
      headVersion,
      // what a source does not report again is carried forward from the head it replaces
      headDetails: (end) => {
        details = { ...details, ...(this.progressSource?.progressAt(end) ?? {}) };
        return details;
      },
      headDirty: (end) => this.progressSource?.unrecorded(end) ?? false,
      onCommitted: () => this.o.log.runRetention(),
      warn: this.warn,
    });
  }

  /** The manifest head's details as load() found them (what the broker recorded with its last chunk). */
  headDetails(): JsonObject | undefined {
    return this.restoredDetails;
  }

  /**
   * Has the manifest head record, with each chunk, what `source` reports for that chunk's CommitLog end (the
   * broker's schedule progress, schedule-progress.ts); keys it leaves out keep their last recorded value.
   * Returns what to call when the source has news: with no chunk coming to carry it, the head is written alone.
   */
  recordWithChunks(source: TierHeadSource): () => void {
    this.progressSource = source;
    return () => this.uploader?.headChanged();
  }

  /** Starts uploading (after the store started) and object-store retention. */
  start(): void {
    this.loaded().poke();
    if (this.config.objectStoreRetentionHours > 0) {
      this.retentionTimer = setInterval(() => void this.runRetention(), TIER_RETENTION_INTERVAL_MS);
      this.retentionTimer.unref();
    }
  }

  private loaded(): TierUploader {
    if (!this.uploader) throw new Error("TierService.load() has not run");
    return this.uploader;
  }

  /** One object-store retention pass; returns the chunks removed. */
  async runRetention(): Promise<number> {
    if (this.retentionRunning) return 0;
    this.retentionRunning = true;
    try {
      return await expireTierChunks({
        index: this.index,
        reader: this.reader,
        metadata: this.o.metadata,
        objects: this.o.objects,
        brokerName: this.config.brokerName,
        clock: this.clock,
        retentionHours: this.config.objectStoreRetentionHours,
        warn: this.warn,
      });
    } catch (e) {
      this.warn(`tier retention failed, will retry: ${String(e)}`);
      return 0;
    } finally {
      this.retentionRunning = false;
    }
  }

  mayDeleteSegment(_start: number, end: number): boolean {
    return end <= this.index.committedOffset;
  }

  admit(): string | undefined {
    const up = this.uploader;
    if (!up) return undefined;
    if (up.fenced) return `tiering stopped: ${up.fenced}`;
    const pending = up.pendingBytes();
    if (pending <= this.config.localBudgetBytes) return undefined;
    const f = up.failure;
    const why = f
      ? `; uploads failing since ${new Date(f.sinceMs).toISOString()} (${f.attempts} attempts): ${f.error}`
      : "";
    return (
      `[TIER_BACKLOG_FULL] ${pending} bytes wait for the object store, over tierLocalBudgetBytes=` +
      `${this.config.localBudgetBytes}${why}; sends are taken again as the backlog uploads`
    );
  }

  waitCommitted(end: number, timeoutMs: number): Promise<boolean> {
    return this.loaded().waitCommitted(end, timeoutMs);
  }

  onAppended(_maxOffset: number): void {
    this.uploader?.poke();
  }

  /** Uploads what the object store lacks, for at most `timeoutMs`; returns whether everything went. */
  drain(timeoutMs: number): Promise<boolean> {
    return this.uploader ? this.uploader.drain(timeoutMs) : Promise.resolve(true);
  }

  async shutdown(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    await this.uploader?.stop();
  }

  status(): TierStatus {
    const up = this.uploader;
    return {
      committedOffset: this.index.committedOffset,
      pendingBytes: up?.pendingBytes() ?? 0,
      chunks: this.index.chunkCount,
      failingSinceMs: up?.failure?.sinceMs,
      lastError: up?.failure?.error,
      fenced: up?.fenced,
    };
  }
}
