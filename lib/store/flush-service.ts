/**
 * Flushing. SYNC_FLUSH: group commit — every send waits until an fdatasync covers its bytes; while one
 * fdatasync runs, new sends pile up and the next one covers them all; a send not covered within
 * syncFlushTimeout gets FLUSH_DISK_TIMEOUT. ASYNC_FLUSH: the CommitLog is synced every flushIntervalCommitLog.
 * In both modes ConsumeQueues, index and checkpoint are synced every LOGIC_FLUSH_INTERVAL_MS.
 */
import type { Clock } from "../common/clock.js";
import type { StoreCheckpoint } from "./checkpoint.js";
import type { CommitLog } from "./commitlog/commit-log.js";
import type { ConsumeQueueTable } from "./consumequeue/consume-queue-table.js";
import type { Dispatcher } from "./dispatcher.js";
import type { IndexService } from "./index/index-service.js";
import type { MessageStoreConfig } from "./message-store.js";

/** Apache flushIntervalConsumeQueue. */
export const LOGIC_FLUSH_INTERVAL_MS = 1000;

interface Waiter {
  end: number;
  deadline: number;
  resolve: (flushed: boolean) => void;
}

export interface FlushParts {
  config: Readonly<MessageStoreConfig>;
  clock: Clock;
  commitLog: CommitLog;
  consumeQueues: ConsumeQueueTable;
  index: IndexService | undefined;
  dispatcher: Dispatcher;
  checkpoint: StoreCheckpoint;
  /** Store time of the newest appended record. */
  lastAppendedStoreTimestamp: () => number;
  /** Called when a flush fails (the store stops accepting writes). */
  onError: (e: unknown) => void;
}

export class FlushService {
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  private logicFlushing: Promise<void> | undefined;
  private timeoutTimer: NodeJS.Timeout | undefined;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly p: FlushParts) {}

  start(): void {
    // objectStore durability comes from the tier; the local disk is flushed as in ASYNC_FLUSH
    if (this.p.config.flushDiskType !== "SYNC_FLUSH") {
      this.timers.push(
        setInterval(() => void this.flushCommitLog(), this.p.config.flushIntervalCommitLog).unref(),
      );
    }
    this.timers.push(setInterval(() => void this.flushLogics(), LOGIC_FLUSH_INTERVAL_MS).unref());
  }

  /** SYNC_FLUSH: resolves true once `end` is durable, false after syncFlushTimeout. */
  waitFor(end: number): Promise<boolean> {
    if (this.p.commitLog.flushedOffset >= end) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      this.waiters.push({
        end,
        deadline: this.p.clock.monotonicMs() + this.p.config.syncFlushTimeout,
        resolve,
      });
      this.armTimeout();
      void this.flushCommitLog();
    });
  }

  /** Flushes the CommitLog until nothing written is left unflushed (one fdatasync per round). */
  flushCommitLog(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async flushLoop(): Promise<void> {
    const log = this.p.commitLog;
    while (log.flushedOffset < log.maxOffset) {
      const ts = this.p.lastAppendedStoreTimestamp();
      try {
        await log.flush();
      } catch (e) {
        this.p.onError(e);
        return;
      }
      this.p.checkpoint.data.physicMsgTimestamp = ts;
      this.p.checkpoint.data.masterFlushedOffset = log.flushedOffset;
      this.releaseWaiters();
    }
    this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const flushed = this.p.commitLog.flushedOffset;
    let i = 0;
    while (i < this.waiters.length && (this.waiters[i] as Waiter).end <= flushed)
      (this.waiters[i++] as Waiter).resolve(true);
    if (i > 0) this.waiters = this.waiters.slice(i);
  }

  private armTimeout(): void {
    if (this.timeoutTimer || this.waiters.length === 0) return;
    const first = this.waiters[0] as Waiter;
    const delay = Math.max(0, first.deadline - this.p.clock.monotonicMs());
    this.timeoutTimer = setTimeout(() => {
      this.timeoutTimer = undefined;
      this.expireWaiters();
      this.armTimeout();
    }, delay + 1);
    this.timeoutTimer.unref();
  }

  /** Answers FLUSH_DISK_TIMEOUT (false) to waiters past their deadline; waiters are in deadline order. */
  expireWaiters(): void {
    const now = this.p.clock.monotonicMs();
    let i = 0;
    while (i < this.waiters.length && (this.waiters[i] as Waiter).deadline <= now)
      (this.waiters[i++] as Waiter).resolve(false);
    if (i > 0) this.waiters = this.waiters.slice(i);
  }

  /** Syncs ConsumeQueues and index, then records progress in the checkpoint. */
  flushLogics(): Promise<void> {
    if (this.logicFlushing) return this.logicFlushing;
    this.logicFlushing = this.logicFlushOnce().finally(() => {
      this.logicFlushing = undefined;
    });
    return this.logicFlushing;
  }

  private async logicFlushOnce(): Promise<void> {
    const ts = this.p.dispatcher.lastStoreTimestamp;
    try {
      await Promise.all([this.p.consumeQueues.sync(), this.p.index?.sync()]);
      const cp = this.p.checkpoint;
      cp.data.logicsMsgTimestamp = ts;
      cp.data.indexMsgTimestamp = ts;
      await cp.flushAsync();
    } catch (e) {
      this.p.onError(e);
    }
  }

  /** Stops the timers and flushes everything (used by shutdown). */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
    this.timeoutTimer = undefined;
    await this.flushCommitLog();
    await this.logicFlushing;
    await this.flushLogics();
    for (const w of this.waiters) w.resolve(this.p.commitLog.flushedOffset >= w.end);
    this.waiters = [];
  }
}
