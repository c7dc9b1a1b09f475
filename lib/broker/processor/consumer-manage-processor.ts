/**
 * Offsets and queue bounds: QUERY_CONSUMER_OFFSET, UPDATE_CONSUMER_OFFSET, GET_MAX_OFFSET, GET_MIN_OFFSET,
 * GET_EARLIEST_MSG_STORETIME, SEARCH_OFFSET_BY_TIMESTAMP, and GET_CONSUMER_LIST_BY_GROUP.
 */
import { totalmem } from "node:os";
import { extString, requireString } from "../../protocol/header/ext-fields.js";
import {
  decodeQueryConsumerOffsetRequestHeader,
  decodeSearchOffsetRequestHeader,
  decodeTopicQueueHeader,
  decodeUpdateConsumerOffsetRequestHeader,
} from "../../protocol/header/queue-offset-headers.js";
import { readRecordPhysicalOffset, readRecordSize } from "../../protocol/message-record.js";
import { createResponse, type RemotingCommand } from "../../protocol/remoting-command.js";
import { ResponseCode } from "../../protocol/response-code.js";
import type { BrokerContext } from "../broker-context.js";

/** Apache accessMessageInMemoryMaxRatio: data within this share of RAM from the CommitLog tail counts as hot. */
const ACCESS_MESSAGE_IN_MEMORY_MAX_RATIO = 0.4;

export class ConsumerManageProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  queryConsumerOffset(request: RemotingCommand): RemotingCommand {
    const h = decodeQueryConsumerOffsetRequestHeader(request.extFields);
    const stored = this.ctx.consumerOffsetManager.queryOffset(h.consumerGroup, h.topic, h.queueId);
    if (stored >= 0)
      return createResponse(request, ResponseCode.SUCCESS, undefined, { offset: extString(stored) });
    const store = this.ctx.store;
    const minOffset = store.getMinOffsetInQueue(h.topic, h.queueId);
    if (
      h.setZeroIfNotFound !== false &&
      minOffset <= 0 &&
      !this.checkInDiskByConsumeOffset(h.topic, h.queueId, 0)
    ) {
      return createResponse(request, ResponseCode.SUCCESS, undefined, { offset: "0" });
    }
    return createResponse(
      request,
      ResponseCode.QUERY_NOT_FOUND,
      "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first",
    );
  }

  /**
   * Whether the message at `offset` is "on disk" (far from the CommitLog tail). An empty queue counts as not on
   * disk, so a brand-new group on a young topic starts at 0 — as Apache 4.9.x answers; a message only the
   * object store holds counts as on disk.
   */
  private checkInDiskByConsumeOffset(topic: string, queueId: number, offset: number): boolean {
    const store = this.ctx.store;
    if (store.getMaxOffsetInQueue(topic, queueId) <= offset) return false;
    const result = store.getMessage(topic, queueId, offset, 1, 1 << 30);
    const record = result.messages[0];
    // the queue holds the offset but the local CommitLog does not: it left for the object store (or was
    // removed), as far from memory as a message can be; a new group then starts where its client says
    if (!record) return true;
    const phy = readRecordPhysicalOffset(record);
    const distance = store.getMaxPhyOffset() - phy - readRecordSize(record);
    return distance > totalmem() * ACCESS_MESSAGE_IN_MEMORY_MAX_RATIO;
  }

  updateConsumerOffset(request: RemotingCommand): RemotingCommand {
    const h = decodeUpdateConsumerOffsetRequestHeader(request.extFields);
    this.ctx.consumerOffsetManager.commitOffset(h.consumerGroup, h.topic, h.queueId, h.commitOffset);
    return createResponse(request, ResponseCode.SUCCESS);
  }

  getMaxOffset(request: RemotingCommand): RemotingCommand {
    const h = decodeTopicQueueHeader(request.extFields);
    const offset = this.ctx.store.getMaxOffsetInQueue(h.topic, h.queueId);
    return createResponse(request, ResponseCode.SUCCESS, undefined, { offset: extString(offset) });
  }

  getMinOffset(request: RemotingCommand): RemotingCommand {
    const h = decodeTopicQueueHeader(request.extFields);
    const offset = this.ctx.store.getMinOffsetInQueue(h.topic, h.queueId);
    return createResponse(request, ResponseCode.SUCCESS, undefined, { offset: extString(offset) });
  }

  /** The oldest message either tier holds (a tiered store reaches into the object store). */
  async getEarliestMsgStoretime(request: RemotingCommand): Promise<RemotingCommand> {
    const h = decodeTopicQueueHeader(request.extFields);
    const store = this.ctx.store;
    const timestamp = store.getEarliestMessageTimeAsync
      ? await store.getEarliestMessageTimeAsync(h.topic, h.queueId)
      : store.getEarliestMessageTime(h.topic, h.queueId);
    return createResponse(request, ResponseCode.SUCCESS, undefined, { timestamp: extString(timestamp) });
  }

  /** Over all history when the store is tiered: offsets older than the local tail come from the object store. */
  async searchOffsetByTimestamp(request: RemotingCommand): Promise<RemotingCommand> {
    const h = decodeSearchOffsetRequestHeader(request.extFields);
    const store = this.ctx.store;
    let offset: number;
    if (store.getOffsetInQueueByTimeAsync) {
      const boundary = h.boundaryType === "UPPER" ? "UPPER" : "LOWER";
      offset = await store.getOffsetInQueueByTimeAsync(h.topic, h.queueId, h.timestamp, boundary);
    } else {
      offset = store.getOffsetInQueueByTime(h.topic, h.queueId, h.timestamp);
      if (h.boundaryType === "UPPER") offset = this.upperBoundary(h.topic, h.queueId, h.timestamp, offset);
    }
    return createResponse(request, ResponseCode.SUCCESS, undefined, { offset: extString(offset) });
  }

  /** UPPER: last offset whose store time is <= timestamp (0 when every message is newer). */
  private upperBoundary(topic: string, queueId: number, timestamp: number, lower: number): number {
    const store = this.ctx.store;
    const min = store.getMinOffsetInQueue(topic, queueId);
    let o = Math.min(lower, store.getMaxOffsetInQueue(topic, queueId) - 1);
    while (o >= min && store.getMessageStoreTimeStamp(topic, queueId, o) > timestamp) o--;
    return o < min ? 0 : o;
  }

  getConsumerListByGroup(request: RemotingCommand): RemotingCommand {
    const group = requireString(request.extFields, "consumerGroup");
    const info = this.ctx.consumerManager.getConsumerGroupInfo(group);
    const ids = info ? [...info.channels.keys()] : [];
    if (ids.length === 0) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `no consumer for this group, ${group}`);
    }
    const body = Buffer.from(JSON.stringify({ consumerIdList: ids }));
    return createResponse(request, ResponseCode.SUCCESS, undefined, {}, body);
  }
}
