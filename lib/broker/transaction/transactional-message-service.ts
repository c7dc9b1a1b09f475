/**
 * Transactions (Apache TransactionalMessageServiceImpl / EndTransactionProcessor): half messages wait in
 * RMQ_SYS_TRANS_HALF_TOPIC; END_TRANSACTION commits (re-puts to the real topic) or rolls back; either writes an op
 * record to RMQ_SYS_TRANS_OP_HALF_TOPIC. Progress is kept as offsets of the CID_RMQ_SYS_TRANS group, so it
 * survives restarts like any consumer offset.
 */
import { decodeProperties, encodeProperties, MessageConst } from "../../protocol/message-properties.js";
import { decodeMessageRecord, type MessageExt } from "../../protocol/message-record.js";
import { MessageSysFlag, resetTransactionValue } from "../../protocol/message-sys-flag.js";
import { tagsString2tagsCode } from "../../protocol/tags.js";
import type { MessageExtBrokerInner, PutMessageResult } from "../../store/message-store.js";
import type { BrokerContext } from "../broker-context.js";
import { copyStoredMessage, realAddress } from "../stored-message-copy.js";
import { TopicValidator } from "../topic-validator.js";

export const CID_RMQ_SYS_TRANS = "CID_RMQ_SYS_TRANS";
const HALF = TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC;
const OP = TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC;
/** Tag of op records ("d" = removed). */
const REMOVE_TAG = "d";

export type EndResult = { ok: true } | { ok: false; remark: string };

export class TransactionalMessageService {
  /** Half-queue offsets that have an op record (committed or rolled back), at or above the half cursor. */
  private readonly done = new Set<number>();
  /** Next op-queue offset to read; starts at the op queue's min so restarts rebuild the done set. */
  private opCursor = -1;
  /** First offsets of immune half messages re-appended by the check: their done marks outlive the cursor. */
  private readonly protectedOffsets = new Set<number>();

  constructor(private readonly ctx: BrokerContext) {}

  /** Store a half message: real topic/queue kept in properties, transaction bits cleared. */
  prepare(msg: MessageExtBrokerInner, properties: Map<string, string>): Promise<PutMessageResult> {
    properties.set(MessageConst.PROPERTY_REAL_TOPIC, msg.topic);
    properties.set(MessageConst.PROPERTY_REAL_QUEUE_ID, String(msg.queueId));
    const uniq = properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX);
    if (uniq !== undefined) properties.set(MessageConst.PROPERTY_TRANSACTION_ID, uniq);
    return this.ctx.store.putMessage({
      ...msg,
      topic: HALF,
      queueId: 0,
      sysFlag: resetTransactionValue(msg.sysFlag, MessageSysFlag.TRANSACTION_NOT_TYPE),
      propertiesString: encodeProperties(properties),
    });
  }

  /** Look up and verify the half message an END_TRANSACTION names. */
  lookHalf(
    producerGroup: string,
    commitLogOffset: number,
    tranStateTableOffset: number,
  ): MessageExt | string {
    const record = this.ctx.store.lookMessageByOffset(commitLogOffset);
    if (!record) return "Find prepared transaction message failed";
    const half = decodeMessageRecord(record);
    if (half.topic !== HALF) return "Find prepared transaction message failed";
    if (half.properties.get(MessageConst.PROPERTY_PRODUCER_GROUP) !== producerGroup)
      return "The producer group wrong";
    if (half.queueOffset !== tranStateTableOffset) return "The transaction state table offset wrong";
    if (half.commitLogOffset !== commitLogOffset) return "The commit log offset wrong";
    return half;
  }

  async commit(half: MessageExt): Promise<EndResult> {
    const props = decodeProperties(half.propertiesString);
    const real = realAddress(half, props);
    for (const k of [
      MessageConst.PROPERTY_TRANSACTION_PREPARED,
      MessageConst.PROPERTY_REAL_TOPIC,
      MessageConst.PROPERTY_REAL_QUEUE_ID,
    ]) {
      props.delete(k);
    }
    const put = await this.ctx.store.putMessage(
      copyStoredMessage(half, {
        ...real,
        properties: props,
        sysFlag: resetTransactionValue(half.sysFlag, MessageSysFlag.TRANSACTION_COMMIT_TYPE),
        preparedTransactionOffset: half.commitLogOffset,
      }),
    );
    if (put.status !== "PUT_OK" && put.status !== "FLUSH_DISK_TIMEOUT")
      return { ok: false, remark: put.status };
    return this.deletePrepareMessage(half);
  }

  /** Write the op record that marks a half message as finished. */
  async deletePrepareMessage(half: MessageExt): Promise<EndResult> {
    const props = new Map([[MessageConst.PROPERTY_TAGS, REMOVE_TAG]]);
    const put = await this.ctx.store.putMessage({
      topic: OP,
      queueId: half.queueId,
      flag: 0,
      body: Buffer.from(`${half.queueOffset},`),
      propertiesString: encodeProperties(props),
      tagsCode: tagsString2tagsCode(REMOVE_TAG),
      sysFlag: 0,
      bornTimestamp: this.ctx.clock.nowMs(),
      bornHost: this.ctx.storeHost,
      storeHost: this.ctx.storeHost,
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
    });
    if (put.status !== "PUT_OK" && put.status !== "FLUSH_DISK_TIMEOUT")
      return { ok: false, remark: put.status };
    this.done.add(half.queueOffset);
    return { ok: true };
  }

  /** Fold op records written since the op cursor into the done set. */
  readOps(): void {
    const store = this.ctx.store;
    let cursor = Math.max(this.opCursor, store.getMinOffsetInQueue(OP, 0));
    const max = store.getMaxOffsetInQueue(OP, 0);
    while (cursor < max) {
      const result = store.getMessage(OP, 0, cursor, 256, 4 * 1024 * 1024);
      if (result.messages.length === 0) break;
      for (const record of result.messages) {
        const op = decodeMessageRecord(record);
        for (const part of op.body.toString("utf8").split(","))
          if (/^\d+$/.test(part)) this.done.add(Number(part));
        cursor = op.queueOffset + 1;
      }
    }
    this.opCursor = cursor;
  }

  isDone(halfQueueOffset: number): boolean {
    return this.done.has(halfQueueOffset);
  }

  /** Keep the done mark of `halfQueueOffset` while a re-appended copy of it may still ask. */
  protect(halfQueueOffset: number): void {
    this.protectedOffsets.add(halfQueueOffset);
  }

  unprotect(halfQueueOffset: number | undefined): void {
    if (halfQueueOffset !== undefined) this.protectedOffsets.delete(halfQueueOffset);
  }

  /** Forget done marks below the half cursor that no pending immune copy refers to. */
  prune(halfCursor: number): void {
    for (const o of this.done) if (o < halfCursor && !this.protectedOffsets.has(o)) this.done.delete(o);
  }
}
