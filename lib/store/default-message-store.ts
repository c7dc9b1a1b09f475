/**
 * DefaultMessageStore: CommitLog + ConsumeQueues + IndexFiles behind the MessageStore contract. The append
 * path is in append-writer.ts, reads in get-message.ts, recovery in recovery.ts, retention in retention.ts.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { type Clock, systemClock } from "../common/clock.js";
import { StratusError } from "../common/errors.js";
import { MAX_QUERY_RESULTS } from "../common/limits.js";
import { AppendWriter } from "./append-writer.js";
import { StoreCheckpoint } from "./checkpoint.js";
import { CommitLog } from "./commitlog/commit-log.js";
import type { Segment } from "./commitlog/segment.js";
import { ConsumeQueueTable } from "./consumequeue/consume-queue-table.js";
import { Dispatcher } from "./dispatcher.js";
import { FlushService } from "./flush-service.js";
import { getMessage } from "./get-message.js";
import { IndexService } from "./index/index-service.js";
import type {
  GetMessageResult,
  MessageArrivingListener,
  MessageExtBrokerInner,
  MessageFilter,
  MessageStore,
  MessageStoreConfig,
  PutMessageResult,
  QueryMessageResult,
} from "./message-store.js";
import { type BoundaryType, offsetInQueueByTime } from "./queue-time.js";
import { recoverStore } from "./recovery.js";
import { RETENTION_INTERVAL_MS, runRetention } from "./retention.js";
import { DEFAULT_MESSAGE_DELAY_LEVEL, parseDelayLevels } from "./schedule-delay.js";
import { validateMessageStoreConfig } from "./store-config.js";
import { abortPath, checkpointPath, commitLogDir, indexDir } from "./store-path.js";
import { StoreStats } from "./store-stats.js";
import type { LocalCommitLog, TierHooks } from "./tier-hooks.js";
import {
  continueAfterTier,
  getMessageTiered,
  lookMessageTiered,
  mergeTopicQueues,
  queryMessageTiered,
  recordHasKey,
  spanOf,
} from "./tiered-reads.js";

import {
  earliestStoreTimeTiered,
  offsetInQueueByTimeTiered,
  storeTimeAtTiered,
  type TieredTimeParts,
} from "./tiered-time.js";

export { defaultMessageStoreConfig } from "./store-config.js";

/** Test seams; production code passes none. */
export interface MessageStoreHooks {
  /** Replaces the CommitLog fdatasync (to simulate slow or failing disks). */
  commitLogSync?: (segment: Segment) => Promise<void>;
}

type State = "new" | "running" | "stopped";

export class DefaultMessageStore implements MessageStore, LocalCommitLog {
  readonly config: Readonly<MessageStoreConfig>;
  private readonly commitLog: CommitLog;
  private readonly consumeQueues: ConsumeQueueTable;
  private readonly index: IndexService | undefined;
  private readonly dispatcher: Dispatcher;
  private checkpoint: StoreCheckpoint | undefined;
  private flushService: FlushService | undefined;
  private readonly delayLevels: number[];
  private readonly stats: StoreStats;
  private readonly writer: AppendWriter;
  private state: State = "new";
  private retentionTimer: NodeJS.Timeout | undefined;
  private tier: TierHooks | undefined;

  constructor(
    config: MessageStoreConfig,
    private readonly clock: Clock = systemClock,
    hooks: MessageStoreHooks = {},
  ) {
    this.config = validateMessageStoreConfig(config);
    this.delayLevels = parseDelayLevels(this.config.messageDelayLevel ?? DEFAULT_MESSAGE_DELAY_LEVEL);
    const root = this.config.storePathRootDir;
    this.commitLog = new CommitLog(commitLogDir(root), this.config.mappedFileSizeCommitLog);
    if (hooks.commitLogSync) this.commitLog.syncSegment = hooks.commitLogSync;
    this.consumeQueues = new ConsumeQueueTable(root, this.config.mappedFileSizeConsumeQueue);
    this.index = this.config.messageIndexEnable
      ? new IndexService(indexDir(root), this.config.maxHashSlotNum, this.config.maxIndexNum, clock)
      : undefined;
    this.dispatcher = new Dispatcher(this.consumeQueues, this.index);
    this.stats = new StoreStats(clock);
    this.writer = new AppendWriter({
      clock,
      flushDiskType: this.config.flushDiskType,
      commitLog: this.commitLog,
      consumeQueues: this.consumeQueues,
      dispatcher: this.dispatcher,
      indexEnabled: this.index !== undefined,
      delayLevels: this.delayLevels,
      stats: this.stats,
    });
  }

  /** Attaches a cold tier (lib/tier) before start: reads, retention, admission and durability consult it. */
  attachTier(hooks: TierHooks): void {
    if (this.state !== "new") throw new StratusError("ILLEGAL_ARGUMENT", `store already ${this.state}`);
    this.tier = hooks;
  }

  async start(): Promise<void> {
    if (this.state !== "new") throw new StratusError("ILLEGAL_ARGUMENT", `store already ${this.state}`);
    if (this.config.flushDiskType === "objectStore" && !this.tier)
      throw new StratusError("CONFIG_INVALID", "flushDiskType objectStore needs tiering to an object store");
    const root = this.config.storePathRootDir;
    mkdirSync(root, { recursive: true });
    const lastExitOK = !existsSync(abortPath(root));
    this.checkpoint = new StoreCheckpoint(checkpointPath(root));
    const outcome = recoverStore(
      {
        commitLog: this.commitLog,
        consumeQueues: this.consumeQueues,
        index: this.index,
        dispatcher: this.dispatcher,
        checkpoint: this.checkpoint,
        delayLevels: this.delayLevels,
      },
      lastExitOK,
    );
    continueAfterTier(this.commitLog, this.consumeQueues, this.tier?.cold.committedOffset() ?? 0);
    this.writer.lastStoreTimestamp = Math.max(
      outcome.lastStoreTimestamp,
      this.checkpoint.data.physicMsgTimestamp,
    );
    writeFileSync(abortPath(root), "");
    this.flushService = new FlushService({
      config: this.config,
      clock: this.clock,
      commitLog: this.commitLog,
      consumeQueues: this.consumeQueues,
      index: this.index,
      dispatcher: this.dispatcher,
      checkpoint: this.checkpoint,
      lastAppendedStoreTimestamp: () => this.writer.lastStoreTimestamp,
      onError: (e) => {
        this.writer.writeError ??= e;
      },
    });
    this.writer.flushService = this.flushService;
    this.wireWriter(this.flushService);
    this.flushService.start();
    this.retentionTimer = setInterval(() => this.runRetention(), RETENTION_INTERVAL_MS).unref();
    this.stats.start();
    this.state = "running";
  }

  private wireWriter(flushService: FlushService): void {
    const tier = this.tier;
    if (this.config.flushDiskType === "SYNC_FLUSH")
      this.writer.waitDurable = (end) => flushService.waitFor(end);
    if (!tier) return;
    if (this.config.flushDiskType === "objectStore")
      this.writer.waitDurable = (end) => tier.waitCommitted(end, this.config.syncFlushTimeout);
    this.writer.initialQueueOffset = (topic, queueId) =>
      Math.max(
        this.consumeQueues.find(topic, queueId)?.maxOffset ?? 0,
        tier.cold.queueRange(topic, queueId)?.maxOffset ?? 0,
      );
    this.writer.onAppended = (end) => tier.onAppended(end);
  }

  async shutdown(): Promise<void> {
    if (this.state !== "running") return;
    this.state = "stopped";
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.stats.stop();
    this.writer.processPending();
    await this.flushService?.stop();
    const cp = this.checkpoint;
    if (cp) {
      cp.data.confirmPhyOffset = this.commitLog.maxOffset;
      cp.flush(true);
      cp.close();
    }
    this.index?.shutdown();
    this.consumeQueues.close();
    this.commitLog.close();
    if (this.writer.writeError === undefined)
      rmSync(abortPath(this.config.storePathRootDir), { force: true });
  }

  putMessage(msg: MessageExtBrokerInner): Promise<PutMessageResult> {
    return this.enqueue([msg]);
  }

  putMessages(msgs: MessageExtBrokerInner[]): Promise<PutMessageResult> {
    return this.enqueue(msgs);
  }

  private enqueue(msgs: MessageExtBrokerInner[]): Promise<PutMessageResult> {
    if (this.state !== "running")
      return Promise.resolve({
        status: "SERVICE_NOT_AVAILABLE",
        appended: [],
        remark: `message store is ${this.state}`,
      });
    const refused = this.tier?.admit();
    if (refused !== undefined)
      return Promise.resolve({ status: "SERVICE_NOT_AVAILABLE", appended: [], remark: refused });
    return this.writer.enqueue(msgs);
  }

  getMessage(
    topic: string,
    queueId: number,
    offset: number,
    maxMsgNums: number,
    maxTotalBytes: number,
    filter?: MessageFilter,
  ): GetMessageResult {
    this.assertRunning();
    const r = getMessage(
      this.consumeQueues.find(topic, queueId),
      this.commitLog,
      offset,
      maxMsgNums,
      maxTotalBytes,
      filter,
    );
    this.stats.onGet(r.status === "FOUND", r.messages.length);
    return r;
  }

  private assertRunning(): void {
    if (this.state !== "running") throw new StratusError("SHUTTING_DOWN", `message store is ${this.state}`);
  }

  getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.queueSpan(topic, queueId).maxOffset;
  }

  getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.queueSpan(topic, queueId).minOffset;
  }

  private queueSpan(topic: string, queueId: number) {
    return spanOf(this.consumeQueues.find(topic, queueId), this.tier?.cold.queueRange(topic, queueId));
  }

  async getMessageAsync(
    topic: string,
    queueId: number,
    offset: number,
    maxMsgNums: number,
    maxTotalBytes: number,
    filter?: MessageFilter,
  ): Promise<GetMessageResult> {
    const cold = this.tier?.cold;
    if (!cold) return this.getMessage(topic, queueId, offset, maxMsgNums, maxTotalBytes, filter);
    this.assertRunning();
    const cq = this.consumeQueues.find(topic, queueId);
    const r = await getMessageTiered(
      { cq, log: this.commitLog, cold, topic, queueId },
      offset,
      maxMsgNums,
      maxTotalBytes,
      filter,
    );
    this.stats.onGet(r.status === "FOUND", r.messages.length);
    return r;
  }

  async lookMessageByOffsetAsync(commitLogOffset: number): Promise<Buffer | undefined> {
    this.assertRunning();
    return lookMessageTiered(this.commitLog, this.tier?.cold, commitLogOffset);
  }

  async queryMessageAsync(
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
  ): Promise<QueryMessageResult> {
    this.assertRunning();
    return queryMessageTiered(
      { log: this.commitLog, index: this.index, cold: this.tier?.cold },
      { topic, key, maxNum, begin, end },
    );
  }

  getMessageStoreTimeStamp(topic: string, queueId: number, queueOffset: number): number {
    this.assertRunning();
    const cq = this.consumeQueues.find(topic, queueId);
    if (!cq || queueOffset < cq.minOffset || queueOffset >= cq.maxOffset) return -1;
    const unit = cq.unitAt(queueOffset);
    return unit ? this.commitLog.readStoreTimestamp(unit.commitLogOffset) : -1;
  }

  getEarliestMessageTime(topic: string, queueId: number): number {
    const cq = this.consumeQueues.find(topic, queueId);
    return cq ? this.getMessageStoreTimeStamp(topic, queueId, cq.minOffset) : -1;
  }

  getOffsetInQueueByTime(
    topic: string,
    queueId: number,
    timestamp: number,
    boundaryType: BoundaryType = "LOWER",
  ): number {
    this.assertRunning();
    const cq = this.consumeQueues.find(topic, queueId);
    return cq ? offsetInQueueByTime(cq, this.commitLog, timestamp, boundaryType) : 0;
  }

  /** getOffsetInQueueByTime over both tiers. */
  async getOffsetInQueueByTimeAsync(
    topic: string,
    queueId: number,
    ts: number,
    boundary: BoundaryType = "LOWER",
  ) {
    const p = this.timeParts(topic, queueId);
    return p
      ? offsetInQueueByTimeTiered(p, ts, boundary)
      : this.getOffsetInQueueByTime(topic, queueId, ts, boundary);
  }

  /** getMessageStoreTimeStamp over both tiers. */
  async getMessageStoreTimeStampAsync(topic: string, queueId: number, queueOffset: number): Promise<number> {
    const p = this.timeParts(topic, queueId);
    return p ? storeTimeAtTiered(p, queueOffset) : this.getMessageStoreTimeStamp(topic, queueId, queueOffset);
  }

  /** getEarliestMessageTime over both tiers: the oldest message the object store still holds. */
  async getEarliestMessageTimeAsync(topic: string, queueId: number): Promise<number> {
    const p = this.timeParts(topic, queueId);
    return p ? earliestStoreTimeTiered(p) : this.getEarliestMessageTime(topic, queueId);
  }

  private timeParts(topic: string, queueId: number): TieredTimeParts | undefined {
    this.assertRunning();
    const cold = this.tier?.cold;
    const cq = this.consumeQueues.find(topic, queueId);
    return cold && { cq, log: this.commitLog, cold, topic, queueId };
  }

  lookMessageByOffset(commitLogOffset: number): Buffer | undefined {
    this.assertRunning();
    return this.commitLog.readRecord(commitLogOffset);
  }

  queryMessage(topic: string, key: string, maxNum: number, begin: number, end: number): QueryMessageResult {
    this.assertRunning();
    const out: QueryMessageResult = {
      messages: [],
      indexLastUpdateTimestamp: this.index?.lastUpdateTimestamp ?? 0,
      indexLastUpdatePhyoffset: Math.max(0, this.index?.lastIndexedPhyOffset ?? 0),
    };
    if (!this.index) return out;
    const limit = Math.max(0, Math.min(maxNum, MAX_QUERY_RESULTS));
    for (const phy of this.index.queryOffsets(topic, key, limit, begin, end)) {
      const rec = this.commitLog.readRecord(phy);
      if (rec && recordHasKey(rec, topic, key)) out.messages.push(rec);
    }
    return out;
  }

  getMinPhyOffset(): number {
    return this.commitLog.minOffset;
  }

  getMaxPhyOffset(): number {
    return this.commitLog.maxOffset;
  }

  getTopicQueueTable(): Map<string, number[]> {
    return mergeTopicQueues(this.consumeQueues.topicQueueTable(), this.tier?.cold.topicQueues());
  }

  deleteTopics(topics: string[]): void {
    for (const topic of topics) {
      this.consumeQueues.deleteTopic(topic);
      this.writer.forgetTopic(topic);
    }
  }

  setMessageArrivingListener(listener: MessageArrivingListener): void {
    this.dispatcher.listener = listener;
  }

  /** One retention pass (the timer runs it every RETENTION_INTERVAL_MS); returns CommitLog segments deleted. */
  runRetention(): number {
    if (this.state !== "running") return 0;
    return runRetention({
      config: this.config,
      clock: this.clock,
      commitLog: this.commitLog,
      consumeQueues: this.consumeQueues,
      index: this.index,
      mayDeleteSegment: this.tier && ((start, end) => this.tier?.mayDeleteSegment(start, end) ?? true),
    });
  }

  get commitLogSegmentSize(): number {
    return this.commitLog.segmentSize;
  }

  /** Bytes [phy, phy + size) of the local CommitLog, within one segment and written, or undefined. */
  readCommitLog(phy: number, size: number): Buffer | undefined {
    if (this.state !== "running") return undefined;
    return this.commitLog.read(phy, size);
  }

  /** Flushes CommitLog, ConsumeQueues, index and checkpoint now. */
  async flush(): Promise<void> {
    await this.flushService?.flushCommitLog();
    await this.flushService?.flushLogics();
  }

  runtimeInfo(): Record<string, string> {
    return this.stats.runtimeInfo({
      commitLogMinOffset: this.commitLog.minOffset,
      commitLogMaxOffset: this.commitLog.maxOffset,
      remainHowManyDataToFlush: this.commitLog.maxOffset - this.commitLog.flushedOffset,
      earliestMessageTimeStamp: this.commitLog.readStoreTimestamp(this.commitLog.minOffset),
    });
  }
}
