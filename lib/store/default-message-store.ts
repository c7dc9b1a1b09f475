/**
 * DefaultMessageStore: CommitLog + ConsumeQueues + IndexFiles behind the MessageStore contract.
 *
 * Append path: putMessage encodes at once (store time from the clock), queues the put, and one setImmediate
 * later the writer takes every put queued meanwhile, assigns queue offsets and physical offsets, writes them
 * with one pwritev per segment, dispatches ConsumeQueue units and index keys, then answers — at once in
 * ASYNC_FLUSH, after a shared fdatasync in SYNC_FLUSH.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { type Clock, systemClock } from "../common/clock.js";
import { StratusError } from "../common/errors.js";
import { MAX_QUERY_RESULTS } from "../common/limits.js";
import { createOffsetMessageId } from "../protocol/message-id.js";
import { getProperties, MessageConst } from "../protocol/message-properties.js";
import { decodeMessageRecord, patchRecordOffsets } from "../protocol/message-record.js";
import { isPreparedOrRollback } from "../protocol/message-sys-flag.js";
import { StoreCheckpoint } from "./checkpoint.js";
import { CommitLog } from "./commitlog/commit-log.js";
import type { Segment } from "./commitlog/segment.js";
import { ConsumeQueueTable } from "./consumequeue/consume-queue-table.js";
import { Dispatcher } from "./dispatcher.js";
import { FlushService } from "./flush-service.js";
import { getMessage } from "./get-message.js";
import { IndexService } from "./index/index-service.js";
import type {
  AppendedMessage,
  GetMessageResult,
  MessageArrivingListener,
  MessageExtBrokerInner,
  MessageFilter,
  MessageStore,
  MessageStoreConfig,
  PutMessageResult,
  QueryMessageResult,
} from "./message-store.js";
import { type EncodedPut, encodePut } from "./put-message.js";
import { type BoundaryType, offsetInQueueByTime } from "./queue-time.js";
import { recoverStore } from "./recovery.js";
import { RETENTION_INTERVAL_MS, runRetention } from "./retention.js";
import { consumeQueueTagsCode, DEFAULT_MESSAGE_DELAY_LEVEL, parseDelayLevels } from "./schedule-delay.js";
import { StagingBuffer } from "./staging-buffer.js";
import { validateMessageStoreConfig } from "./store-config.js";
import { abortPath, checkpointPath, commitLogDir, indexDir } from "./store-path.js";
import { StoreStats } from "./store-stats.js";

export { defaultMessageStoreConfig } from "./store-config.js";

/** Test seams; production code passes none. */
export interface MessageStoreHooks {
  /** Replaces the CommitLog fdatasync (to simulate slow or failing disks). */
  commitLogSync?: (segment: Segment) => Promise<void>;
}

/** Writer staging kept between batches. */
const STAGING_RETAINED_BYTES = 8 * 1024 * 1024;
const INDEX_KEY_PROPERTIES = [
  MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX,
  MessageConst.PROPERTY_KEYS,
];
const NO_KEYS: (string | undefined)[] = [undefined, undefined];

/** Offset message ids with the hex of the last store host cached (it is the same for every message). */
class OffsetMsgIdFactory {
  private host: Buffer | undefined;
  private hostHex = "";

  create(storeHost: Buffer, phy: number): string {
    if (!this.host || !storeHost.equals(this.host)) {
      this.host = Buffer.from(storeHost);
      this.hostHex = storeHost.toString("hex").toUpperCase();
    }
    if (this.hostHex.length !== 16 && this.hostHex.length !== 40)
      return createOffsetMessageId(storeHost, phy);
    return this.hostHex + phy.toString(16).toUpperCase().padStart(16, "0");
  }
}

interface PendingPut {
  put: EncodedPut;
  resolve: (r: PutMessageResult) => void;
}

type State = "new" | "running" | "stopped";

export class DefaultMessageStore implements MessageStore {
  readonly config: Readonly<MessageStoreConfig>;
  private readonly commitLog: CommitLog;
  private readonly consumeQueues: ConsumeQueueTable;
  private readonly index: IndexService | undefined;
  private readonly dispatcher: Dispatcher;
  private checkpoint: StoreCheckpoint | undefined;
  private flushService: FlushService | undefined;
  private readonly delayLevels: number[];
  private readonly stats: StoreStats;
  private readonly queueOffsets = new Map<string, number>();
  private readonly msgIds = new OffsetMsgIdFactory();
  /** Records of the queued puts, encoded back to back; written and cleared by each writer run. */
  private readonly staging = new StagingBuffer(64 * 1024, STAGING_RETAINED_BYTES);
  private pending: PendingPut[] = [];
  private scheduled = false;
  private state: State = "new";
  /** Set when a write or flush failed: the store then refuses writes (Apache's disk-error stance). */
  private writeError: unknown;
  private lastStoreTimestamp = 0;
  private retentionTimer: NodeJS.Timeout | undefined;

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
  }

  async start(): Promise<void> {
    if (this.state !== "new") throw new StratusError("ILLEGAL_ARGUMENT", `store already ${this.state}`);
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
    this.lastStoreTimestamp = Math.max(outcome.lastStoreTimestamp, this.checkpoint.data.physicMsgTimestamp);
    writeFileSync(abortPath(root), "");
    this.flushService = new FlushService({
      config: this.config,
      clock: this.clock,
      commitLog: this.commitLog,
      consumeQueues: this.consumeQueues,
      index: this.index,
      dispatcher: this.dispatcher,
      checkpoint: this.checkpoint,
      lastAppendedStoreTimestamp: () => this.lastStoreTimestamp,
      onError: (e) => {
        this.writeError ??= e;
      },
    });
    this.flushService.start();
    this.retentionTimer = setInterval(() => this.runRetention(), RETENTION_INTERVAL_MS).unref();
    this.stats.start();
    this.state = "running";
  }

  async shutdown(): Promise<void> {
    if (this.state !== "running") return;
    this.state = "stopped";
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.stats.stop();
    if (this.pending.length > 0) this.processPending();
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
    if (this.writeError === undefined) rmSync(abortPath(this.config.storePathRootDir), { force: true });
  }

  putMessage(msg: MessageExtBrokerInner): Promise<PutMessageResult> {
    return this.enqueue([msg]);
  }

  putMessages(msgs: MessageExtBrokerInner[]): Promise<PutMessageResult> {
    return this.enqueue(msgs);
  }

  private enqueue(msgs: MessageExtBrokerInner[]): Promise<PutMessageResult> {
    if (this.state !== "running" || this.writeError !== undefined)
      return Promise.resolve({
        status: "SERVICE_NOT_AVAILABLE",
        appended: [],
        remark: this.unavailableReason(),
      });
    const encoded = encodePut(msgs, this.clock.nowMs(), (n) => this.commitLog.fits(n), this.staging);
    if (!encoded.ok) return Promise.resolve({ status: encoded.status, appended: [], remark: encoded.remark });
    return new Promise((resolve) => {
      this.pending.push({ put: encoded.put, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.processPending());
      }
    });
  }

  private unavailableReason(): string {
    if (this.writeError !== undefined) return `store write failed: ${String(this.writeError)}`;
    return `message store is ${this.state}`;
  }

  /** The writer: everything queued since the last run becomes one write per segment. */
  private processPending(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    if (this.writeError !== undefined) {
      this.staging.clear();
      for (const req of batch)
        req.resolve({ status: "SERVICE_NOT_AVAILABLE", appended: [], remark: this.unavailableReason() });
      return;
    }
    const saved = new Map<string, number | undefined>();
    let results: AppendedMessage[][];
    try {
      const staged = this.staging.view();
      results = batch.map((req) => this.appendOne(req.put, staged, saved));
      this.commitLog.writeStaged();
      this.dispatcher.commit();
      this.staging.clear();
    } catch (e) {
      this.staging.clear();
      this.commitLog.discardStaged();
      this.dispatcher.discard();
      for (const [key, v] of saved) {
        if (v === undefined) this.queueOffsets.delete(key);
        else this.queueOffsets.set(key, v);
      }
      this.writeError = e;
      for (const req of batch) req.resolve({ status: "UNKNOWN_ERROR", appended: [], remark: String(e) });
      return;
    }
    this.answer(batch, results);
  }

  private answer(batch: PendingPut[], results: AppendedMessage[][]): void {
    const sync = this.config.flushDiskType === "SYNC_FLUSH" && this.flushService;
    batch.forEach((req, i) => {
      const appended = results[i] as AppendedMessage[];
      this.stats.onPut(appended.length, req.put.total);
      if (!sync) {
        req.resolve({ status: "PUT_OK", appended });
        return;
      }
      const last = appended[appended.length - 1] as AppendedMessage;
      void sync
        .waitFor(last.wroteOffset + last.wroteBytes)
        .then((flushed) =>
          req.resolve(flushed ? { status: "PUT_OK", appended } : { status: "FLUSH_DISK_TIMEOUT", appended }),
        );
    });
  }

  private appendOne(
    put: EncodedPut,
    staged: Buffer,
    saved: Map<string, number | undefined>,
  ): AppendedMessage[] {
    const first = put.msgs[0] as MessageExtBrokerInner;
    const key = `${first.topic}-${first.queueId}`;
    if (!saved.has(key)) saved.set(key, this.queueOffsets.get(key));
    let next =
      this.queueOffsets.get(key) ?? this.consumeQueues.find(first.topic, first.queueId)?.maxOffset ?? 0;
    const records = staged.subarray(put.from, put.from + put.total);
    let phy = this.commitLog.append([records], put.total);
    let at = 0;
    const appended: AppendedMessage[] = [];
    put.msgs.forEach((msg, i) => {
      const size = put.sizes[i] as number;
      const q = isPreparedOrRollback(msg.sysFlag) ? 0 : next++;
      const keys = this.index ? getProperties(msg.propertiesString, INDEX_KEY_PROPERTIES) : NO_KEYS;
      patchRecordOffsets(records, at, q, phy);
      this.dispatcher.dispatch(
        {
          topic: msg.topic,
          queueId: msg.queueId,
          commitLogOffset: phy,
          size,
          tagsCode: consumeQueueTagsCode(
            this.delayLevels,
            msg.topic,
            msg.propertiesString,
            put.storeTimestamp,
            msg.tagsCode,
          ),
          storeTimestamp: put.storeTimestamp,
          queueOffset: q,
          sysFlag: msg.sysFlag,
          uniqKey: keys[0],
          keys: keys[1],
        },
        true,
      );
      appended.push({
        wroteOffset: phy,
        wroteBytes: size,
        msgId: this.msgIds.create(msg.storeHost, phy),
        queueOffset: q,
        storeTimestamp: put.storeTimestamp,
      });
      phy += size;
      at += size;
    });
    this.queueOffsets.set(key, next);
    if (put.storeTimestamp > this.lastStoreTimestamp) this.lastStoreTimestamp = put.storeTimestamp;
    return appended;
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
    return this.consumeQueues.find(topic, queueId)?.maxOffset ?? 0;
  }

  getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.consumeQueues.find(topic, queueId)?.minOffset ?? 0;
  }

  getMessageStoreTimeStamp(topic: string, queueId: number, queueOffset: number): number {
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
    const cq = this.consumeQueues.find(topic, queueId);
    return cq ? offsetInQueueByTime(cq, this.commitLog, timestamp, boundaryType) : 0;
  }

  lookMessageByOffset(commitLogOffset: number): Buffer | undefined {
    return this.commitLog.readRecord(commitLogOffset);
  }

  queryMessage(topic: string, key: string, maxNum: number, begin: number, end: number): QueryMessageResult {
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
    return this.consumeQueues.topicQueueTable();
  }

  deleteTopics(topics: string[]): void {
    for (const topic of topics) {
      this.consumeQueues.deleteTopic(topic);
      for (const key of [...this.queueOffsets.keys()])
        if (key.startsWith(`${topic}-`)) this.queueOffsets.delete(key);
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
    });
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

function recordHasKey(rec: Buffer, topic: string, key: string): boolean {
  try {
    const m = decodeMessageRecord(rec);
    if (m.topic !== topic) return false;
    const props = m.properties;
    if (props.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) === key) return true;
    return (props.get(MessageConst.PROPERTY_KEYS) ?? "").split(MessageConst.KEY_SEPARATOR).includes(key);
  } catch {
    return false;
  }
}
