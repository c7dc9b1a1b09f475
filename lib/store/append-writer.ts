/**
 * The append path. putMessage checks and encodes a put at once (store time from the clock, records straight
 * into one staging buffer) and queues it; one setImmediate later the writer takes every put queued meanwhile,
 * assigns queue offsets and physical offsets, writes the records with one pwrite per CommitLog segment,
 * dispatches ConsumeQueue units and index keys, then answers — at once in ASYNC_FLUSH, after a shared
 * fdatasync in SYNC_FLUSH, after the cold tier committed the bytes in objectStore (waitDurable).
 */
import type { Clock } from "../common/clock.js";
import { createOffsetMessageId } from "../protocol/message-id.js";
import { getProperties, MessageConst } from "../protocol/message-properties.js";
import { type MessageExtBrokerInner, patchRecordOffsets } from "../protocol/message-record.js";
import { isPreparedOrRollback } from "../protocol/message-sys-flag.js";
import type { CommitLog } from "./commitlog/commit-log.js";
import type { ConsumeQueueTable } from "./consumequeue/consume-queue-table.js";
import type { Dispatcher } from "./dispatcher.js";
import type { FlushService } from "./flush-service.js";
import type { AppendedMessage, FlushDiskType, PutMessageResult } from "./message-store.js";
import { type EncodedPut, encodePut } from "./put-message.js";
import { consumeQueueTagsCode } from "./schedule-delay.js";
import { StagingBuffer } from "./staging-buffer.js";
import type { StoreStats } from "./store-stats.js";

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

export interface AppendWriterParts {
  clock: Clock;
  flushDiskType: FlushDiskType;
  commitLog: CommitLog;
  consumeQueues: ConsumeQueueTable;
  dispatcher: Dispatcher;
  indexEnabled: boolean;
  delayLevels: readonly number[];
  stats: StoreStats;
}

export class AppendWriter {
  /** Set when a write or flush failed: the store then refuses writes (Apache's disk-error stance). */
  writeError: unknown;
  /** Store time of the newest appended record. */
  lastStoreTimestamp = 0;
  flushService: FlushService | undefined;
  /**
   * Set by the store for the modes that answer later: resolves true once every byte below `end` is durable
   * (fdatasync'd, or committed to the cold tier), false on timeout (FLUSH_DISK_TIMEOUT).
   */
  waitDurable: ((end: number) => Promise<boolean>) | undefined;
  /** Where a queue without a counter yet continues (the store adds the cold tier's offsets). */
  initialQueueOffset: (topic: string, queueId: number) => number = (topic, queueId) =>
    this.p.consumeQueues.find(topic, queueId)?.maxOffset ?? 0;
  /** Told the CommitLog's end after every written batch (the tier uploader). */
  onAppended: ((maxOffset: number) => void) | undefined;
  private readonly queueOffsets = new Map<string, number>();
  private readonly msgIds = new OffsetMsgIdFactory();
  /** Records of the queued puts, encoded back to back; written and cleared by each writer run. */
  private readonly staging = new StagingBuffer(64 * 1024, STAGING_RETAINED_BYTES);
  private pending: PendingPut[] = [];
  private scheduled = false;

  constructor(private readonly p: AppendWriterParts) {}

  /** Queues a put (a single message or a batch for one queue); the promise answers when it is written. */
  enqueue(msgs: MessageExtBrokerInner[]): Promise<PutMessageResult> {
    if (this.writeError !== undefined)
      return Promise.resolve({ status: "SERVICE_NOT_AVAILABLE", appended: [], remark: this.errorRemark() });
    const encoded = encodePut(msgs, this.p.clock.nowMs(), (n) => this.p.commitLog.fits(n), this.staging);
    if (!encoded.ok) return Promise.resolve({ status: encoded.status, appended: [], remark: encoded.remark });
    return new Promise((resolve) => {
      this.pending.push({ put: encoded.put, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.processPending());
      }
    });
  }

  errorRemark(): string {
    return `store write failed: ${String(this.writeError)}`;
  }

  /** Forgets the offset counters of a deleted topic. */
  forgetTopic(topic: string): void {
    const prefix = `${topic}-`;
    for (const key of [...this.queueOffsets.keys()]) {
      if (key.startsWith(prefix) && /^\d+$/.test(key.slice(prefix.length))) this.queueOffsets.delete(key);
    }
  }

  /** The writer: everything queued since the last run becomes one write per segment. */
  processPending(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    if (this.writeError !== undefined) {
      this.staging.clear();
      for (const req of batch)
        req.resolve({ status: "SERVICE_NOT_AVAILABLE", appended: [], remark: this.errorRemark() });
      return;
    }
    const saved = new Map<string, number | undefined>();
    let results: AppendedMessage[][];
    try {
      const staged = this.staging.view();
      results = batch.map((req) => this.appendOne(req.put, staged, saved));
      this.p.commitLog.writeStaged();
      this.p.dispatcher.commit();
      this.staging.clear();
    } catch (e) {
      this.fail(batch, saved, e);
      return;
    }
    this.answer(batch, results);
    this.onAppended?.(this.p.commitLog.maxOffset);
  }

  private fail(batch: PendingPut[], saved: Map<string, number | undefined>, e: unknown): void {
    this.staging.clear();
    this.p.commitLog.discardStaged();
    this.p.dispatcher.discard();
    for (const [key, v] of saved) {
      if (v === undefined) this.queueOffsets.delete(key);
      else this.queueOffsets.set(key, v);
    }
    this.writeError = e;
    for (const req of batch) req.resolve({ status: "UNKNOWN_ERROR", appended: [], remark: String(e) });
  }

  private answer(batch: PendingPut[], results: AppendedMessage[][]): void {
    const wait = this.waitDurable;
    batch.forEach((req, i) => {
      const appended = results[i] as AppendedMessage[];
      this.p.stats.onPut(appended.length, req.put.total);
      if (!wait) {
        req.resolve({ status: "PUT_OK", appended });
        return;
      }
      const last = appended[appended.length - 1] as AppendedMessage;
      void wait(last.wroteOffset + last.wroteBytes)
        .catch(() => false)
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
    const { commitLog, dispatcher } = this.p;
    const first = put.msgs[0] as MessageExtBrokerInner;
    const key = `${first.topic}-${first.queueId}`;
    if (!saved.has(key)) saved.set(key, this.queueOffsets.get(key));
    let next = this.queueOffsets.get(key) ?? this.initialQueueOffset(first.topic, first.queueId);
    const records = staged.subarray(put.from, put.from + put.total);
    let phy = commitLog.append([records], put.total);
    let at = 0;
    const appended: AppendedMessage[] = [];
    put.msgs.forEach((msg, i) => {
      const size = put.sizes[i] as number;
      const q = isPreparedOrRollback(msg.sysFlag) ? 0 : next++;
      const keys = this.p.indexEnabled ? getProperties(msg.propertiesString, INDEX_KEY_PROPERTIES) : NO_KEYS;
      patchRecordOffsets(records, at, q, phy);
      dispatcher.dispatch(
        {
          topic: msg.topic,
          queueId: msg.queueId,
          commitLogOffset: phy,
          size,
          tagsCode: consumeQueueTagsCode(
            this.p.delayLevels,
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
      const msgId = this.msgIds.create(msg.storeHost, phy);
      appended.push({
        wroteOffset: phy,
        wroteBytes: size,
        msgId,
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
}
