/**
 * The contract between the broker and its message store (CommitLog + ConsumeQueue + IndexFile).
 * Offsets and timestamps are JS numbers: safe up to 2^53 (8 PiB of CommitLog), checked at decode.
 */
import type { MessageExtBrokerInner } from "../protocol/message-record.js";

/**
 * ASYNC_FLUSH: acknowledged once written (page cache). SYNC_FLUSH: once fdatasync'd. objectStore: once the cold
 * tier committed the chunk holding it (needs a tier attached; the local disk is flushed as in ASYNC_FLUSH).
 */
export type FlushDiskType = "ASYNC_FLUSH" | "SYNC_FLUSH" | "objectStore";

export interface MessageStoreConfig {
  /** Root directory: commitlog/, consumequeue/, index/, checkpoint, abort live under it. */
  storePathRootDir: string;
  /** CommitLog segment size (Apache mappedFileSizeCommitLog, default 1 GiB). */
  mappedFileSizeCommitLog: number;
  /** ConsumeQueue file size in bytes, a multiple of 20 (Apache mappedFileSizeConsumeQueue, 300000 * 20). */
  mappedFileSizeConsumeQueue: number;
  flushDiskType: FlushDiskType;
  /** ASYNC_FLUSH: how often the CommitLog is flushed (Apache flushIntervalCommitLog, 500 ms). */
  flushIntervalCommitLog: number;
  /** SYNC_FLUSH: how long a send waits for its fdatasync before FLUSH_DISK_TIMEOUT (5000 ms). */
  syncFlushTimeout: number;
  /** Retention by age in hours (Apache fileReservedTime, 72). */
  fileReservedTime: number;
  /** Retention by size: delete oldest CommitLog segments while the CommitLog is larger (0 = unlimited). */
  maxCommitLogBytes: number;
  /** IndexFile geometry (Apache maxHashSlotNum 5,000,000 and maxIndexNum 20,000,000). */
  maxHashSlotNum: number;
  maxIndexNum: number;
  /** Whether KEYS/UNIQ_KEY are indexed (Apache messageIndexEnable). */
  messageIndexEnable: boolean;
  /** Delay levels for SCHEDULE_TOPIC_XXXX tagsCode (Apache messageDelayLevel, "1s 5s 10s 30s 1m ... 2h"). */
  messageDelayLevel?: string;
}

/** A message as the broker hands it to the store (Apache MessageExtBrokerInner); defined with its codec. */
export type { MessageExtBrokerInner } from "../protocol/message-record.js";

export type PutMessageStatus =
  | "PUT_OK"
  | "FLUSH_DISK_TIMEOUT"
  | "MESSAGE_ILLEGAL"
  | "PROPERTIES_SIZE_EXCEEDED"
  | "SERVICE_NOT_AVAILABLE"
  | "UNKNOWN_ERROR";

export interface AppendedMessage {
  /** CommitLog offset of the record. */
  wroteOffset: number;
  wroteBytes: number;
  /** Offset message id (storeHost + wroteOffset), 32 uppercase hex chars for IPv4. */
  msgId: string;
  /** ConsumeQueue offset assigned (0 for PREPARED/ROLLBACK transaction records). */
  queueOffset: number;
  storeTimestamp: number;
}

export interface PutMessageResult {
  status: PutMessageStatus;
  /** One entry per message, in order; empty unless the records were written. */
  appended: AppendedMessage[];
  remark?: string;
}

export type GetMessageStatus =
  | "FOUND"
  | "NO_MATCHED_MESSAGE"
  | "MESSAGE_WAS_REMOVING"
  | "OFFSET_FOUND_NULL"
  | "OFFSET_OVERFLOW_BADLY"
  | "OFFSET_OVERFLOW_ONE"
  | "OFFSET_TOO_SMALL"
  | "NO_MATCHED_LOGIC_QUEUE"
  | "NO_MESSAGE_IN_QUEUE";

/** Two-stage filter: by ConsumeQueue tagsCode first, then (optionally) by the whole stored record. */
export interface MessageFilter {
  isMatchedByConsumeQueue(tagsCode: number): boolean;
  isMatchedByCommitLog?(record: Buffer): boolean;
}

export interface GetMessageResult {
  status: GetMessageStatus;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  /** Whole stored records, back to back in the pull body. */
  messages: Buffer[];
}

export interface QueryMessageResult {
  /** Whole stored records found, newest index entries first. */
  messages: Buffer[];
  indexLastUpdateTimestamp: number;
  indexLastUpdatePhyoffset: number;
}

/**
 * Called by the dispatcher for every record it adds to a ConsumeQueue (wakes long-polled pulls), after the unit
 * is readable. As in Apache, `logicOffset` is the queue's new max offset: the record's queue offset + 1.
 */
export type MessageArrivingListener = (
  topic: string,
  queueId: number,
  logicOffset: number,
  tagsCode: number,
  storeTimestamp: number,
) => void;

export interface MessageStore {
  /** Load files, recover after a crash (cut torn tail, rebuild ConsumeQueue + index), start flush/clean services. */
  start(): Promise<void>;
  /** Flush everything and close files. */
  shutdown(): Promise<void>;
  putMessage(msg: MessageExtBrokerInner): Promise<PutMessageResult>;
  /** A batch: consecutive queue offsets on one queue, written as one append. */
  putMessages(msgs: MessageExtBrokerInner[]): Promise<PutMessageResult>;
  getMessage(
    topic: string,
    queueId: number,
    offset: number,
    maxMsgNums: number,
    maxTotalBytes: number,
    filter?: MessageFilter,
  ): GetMessageResult;
  getMaxOffsetInQueue(topic: string, queueId: number): number;
  getMinOffsetInQueue(topic: string, queueId: number): number;
  /** Store time of the message at a queue offset, or -1. */
  getMessageStoreTimeStamp(topic: string, queueId: number, queueOffset: number): number;
  getEarliestMessageTime(topic: string, queueId: number): number;
  /**
   * LOWER (default): first queue offset whose store time is >= timestamp (max offset if none).
   * UPPER (5.x boundaryType): last queue offset whose store time is <= timestamp (0 if none).
   */
  getOffsetInQueueByTime(
    topic: string,
    queueId: number,
    timestamp: number,
    boundaryType?: "LOWER" | "UPPER",
  ): number;
  /** The whole record at a CommitLog offset, or undefined. */
  lookMessageByOffset(commitLogOffset: number): Buffer | undefined;
  queryMessage(topic: string, key: string, maxNum: number, begin: number, end: number): QueryMessageResult;
  getMinPhyOffset(): number;
  getMaxPhyOffset(): number;
  /** Queue ids with a ConsumeQueue, per topic. */
  getTopicQueueTable(): Map<string, number[]>;
  deleteTopics(topics: string[]): void;
  setMessageArrivingListener(listener: MessageArrivingListener): void;
  /** Runtime figures for GET_BROKER_RUNTIME_INFO. */
  runtimeInfo(): Record<string, string>;
  /**
   * The same reads over all history: what left local disk is read from the cold tier when one is attached
   * (see tier-hooks.ts). Stores without a cold tier may leave these out; callers then use the sync reads.
   */
  getMessageAsync?(
    topic: string,
    queueId: number,
    offset: number,
    maxMsgNums: number,
    maxTotalBytes: number,
    filter?: MessageFilter,
  ): Promise<GetMessageResult>;
  lookMessageByOffsetAsync?(commitLogOffset: number): Promise<Buffer | undefined>;
  getOffsetInQueueByTimeAsync?(
    topic: string,
    queueId: number,
    timestamp: number,
    boundaryType?: "LOWER" | "UPPER",
  ): Promise<number>;
  getMessageStoreTimeStampAsync?(topic: string, queueId: number, queueOffset: number): Promise<number>;
  getEarliestMessageTimeAsync?(topic: string, queueId: number): Promise<number>;
  queryMessageAsync?(
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
  ): Promise<QueryMessageResult>;
}
