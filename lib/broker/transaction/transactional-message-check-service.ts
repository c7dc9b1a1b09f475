/**
 * The back-check (Apache TransactionalMessageCheckService): every transactionCheckInterval, walk the half queue
 * from the CID_RMQ_SYS_TRANS cursor. A half message with no op record, older than transactionTimeOut (or its
 * CHECK_IMMUNITY_TIME_IN_SECONDS), is re-appended with TRANSACTION_CHECK_TIMES + 1 and its producer group is asked
 * with CHECK_TRANSACTION_STATE; after transactionCheckMax checks (or fileReservedTime) it is dropped. A message
 * still inside its immunity is re-appended unchanged (remembering its first queue offset in
 * TRAN_PREPARED_QUEUE_OFFSET) so that the walk goes on to the messages behind it; a copy whose first offset was
 * committed or rolled back meanwhile is finished.
 */

import { encodeCheckTransactionStateRequestHeader } from "../../protocol/header/end-transaction-request-header.js";
import { createOffsetMessageId } from "../../protocol/message-id.js";
import { decodeProperties, encodeProperties, MessageConst } from "../../protocol/message-properties.js";
import { decodeMessageRecord, encodeMessageRecord, type MessageExt } from "../../protocol/message-record.js";
import { createRequest } from "../../protocol/remoting-command.js";
import { RequestCode } from "../../protocol/request-code.js";
import type { BrokerContext } from "../broker-context.js";
import { TopicValidator } from "../topic-validator.js";
import { CID_RMQ_SYS_TRANS, type TransactionalMessageService } from "./transactional-message-service.js";

const HALF = TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC;
/** Half messages one check pass looks at, at most. */
export const MAX_CHECK_PER_PASS = 2000;

export class TransactionalMessageCheckService {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly ctx: BrokerContext,
    private readonly tx: TransactionalMessageService,
  ) {}

  start(): void {
    this.tx.readOps();
    this.timer = setInterval(() => void this.check(), this.ctx.config.transactionCheckInterval);
    this.timer.unref();
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass over the half queue. */
  async check(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.pass();
    } finally {
      this.running = false;
    }
  }

  private async pass(): Promise<void> {
    const store = this.ctx.store;
    const offsets = this.ctx.consumerOffsetManager;
    this.tx.readOps();
    let cursor = Math.max(
      0,
      offsets.queryOffset(CID_RMQ_SYS_TRANS, HALF, 0),
      store.getMinOffsetInQueue(HALF, 0),
    );
    const max = store.getMaxOffsetInQueue(HALF, 0);
    // Every message before a "wait" is finished here (done, dropped, or re-appended for a later check).
    for (let seen = 0; cursor < max && seen < MAX_CHECK_PER_PASS; seen++) {
      const half = this.tx.isDone(cursor) ? undefined : this.read(cursor);
      if (half) {
        const verdict = this.verdict(half);
        if (verdict === "wait") break;
        if (verdict === "check") await this.resendAndCheck(half);
        if (verdict === "immune") await this.putBackImmune(half);
        else this.tx.unprotect(preparedQueueOffset(half));
      }
      cursor++;
    }
    offsets.commitOffset(CID_RMQ_SYS_TRANS, HALF, 0, cursor);
    this.tx.prune(cursor);
  }

  private read(queueOffset: number): MessageExt | undefined {
    const result = this.ctx.store.getMessage(HALF, 0, queueOffset, 1, 8 * 1024 * 1024);
    const record = result.messages[0];
    return record ? decodeMessageRecord(record) : undefined;
  }

  /**
   * wait: too young, and so is everything behind it; immune: not to be checked yet, but the walk goes on;
   * discard: checked too often, too old, or its first copy was decided meanwhile.
   */
  private verdict(half: MessageExt): "wait" | "immune" | "check" | "discard" {
    const c = this.ctx.config;
    const now = this.ctx.clock.nowMs();
    const checkTimes = Number(half.properties.get(MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES) ?? 0);
    const age = now - half.bornTimestamp;
    if (checkTimes >= c.transactionCheckMax || age > c.fileReservedTime * 3600_000) return "discard";
    const prepared = preparedQueueOffset(half);
    if (prepared !== undefined && this.tx.isDone(prepared)) return "discard";
    const immunity = Number(half.properties.get(MessageConst.PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS) ?? NaN);
    // Immunity counts from the birth (a re-appended copy keeps it); transactionTimeOut from the last append.
    if (Number.isFinite(immunity) && checkTimes === 0) return age < immunity * 1000 ? "immune" : "check";
    return now - half.storeTimestamp < c.transactionTimeOut ? "wait" : "check";
  }

  /** Re-append an immune half message as it is, remembering the offset the producer knows it by. */
  private async putBackImmune(half: MessageExt): Promise<void> {
    const props = decodeProperties(half.propertiesString);
    const prepared = preparedQueueOffset(half) ?? half.queueOffset;
    props.set(MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET, String(prepared));
    this.tx.protect(prepared);
    await this.ctx.store.putMessage({ ...half, propertiesString: encodeProperties(props) });
  }

  /** Re-append the half message with one more check counted, then ask a producer of its group. */
  private async resendAndCheck(half: MessageExt): Promise<void> {
    const props = decodeProperties(half.propertiesString);
    const checkTimes = Number(props.get(MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES) ?? 0) + 1;
    props.set(MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES, String(checkTimes));
    const put = await this.ctx.store.putMessage({ ...half, propertiesString: encodeProperties(props) });
    const copy = put.appended[0];
    if (!copy) return;
    const group = props.get(MessageConst.PROPERTY_PRODUCER_GROUP) ?? "";
    const channel = this.ctx.producerManager.getAvailableChannel(group);
    if (!channel) return;
    const realTopic = props.get(MessageConst.PROPERTY_REAL_TOPIC) ?? half.topic;
    const realQueueId = Number(props.get(MessageConst.PROPERTY_REAL_QUEUE_ID) ?? 0);
    const body = encodeMessageRecord(
      { ...half, topic: realTopic, queueId: realQueueId, propertiesString: encodeProperties(props) },
      copy.queueOffset,
      copy.wroteOffset,
      copy.storeTimestamp,
    );
    const uniq = props.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? copy.msgId;
    const header = encodeCheckTransactionStateRequestHeader({
      tranStateTableOffset: copy.queueOffset,
      commitLogOffset: copy.wroteOffset,
      msgId: uniq,
      transactionId: props.get(MessageConst.PROPERTY_TRANSACTION_ID) ?? uniq,
      offsetMsgId: createOffsetMessageId(half.storeHost, copy.wroteOffset),
      topic: realTopic,
      brokerName: this.ctx.config.brokerName,
    });
    channel.connection.invokeOneway(createRequest(RequestCode.CHECK_TRANSACTION_STATE, header, body));
  }
}

/** The half-queue offset of the first copy of a re-appended immune message, if this is such a copy. */
function preparedQueueOffset(half: MessageExt): number | undefined {
  const raw = half.properties.get(MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET);
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}
