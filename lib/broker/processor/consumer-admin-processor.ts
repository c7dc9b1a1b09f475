/**
 * Consumer and queue administration (protocol §7.3, §7.5): GET_TOPIC_STATS_INFO (202), GET_CONSUME_STATS (208),
 * GET_CONSUMER_CONNECTION_LIST (203), GET_PRODUCER_CONNECTION_LIST (204), QUERY_TOPIC_CONSUME_BY_WHO (300),
 * QUERY_CONSUME_TIME_SPAN (303), GET_CONSUMER_RUNNING_INFO (307, forwarded to the consumer) and
 * INVOKE_BROKER_TO_RESET_OFFSET (222, pushed to every consumer of the group). Codes and remarks follow Apache's
 * AdminBrokerProcessor / Broker2Client, which mqadmin's error handling keys on (e.g. CONSUMER_NOT_ONLINE).
 */
import { isStratusError } from "../../common/errors.js";
import { encodeGroupList } from "../../protocol/body/admin-bodies.js";
import { encodeConsumerConnection, encodeProducerConnection } from "../../protocol/body/connection-bodies.js";
import type { MessageQueue } from "../../protocol/body/json-body.js";
import {
  encodeConsumeStats,
  encodeQueryConsumeTimeSpanBody,
  encodeResetOffsetBody,
  encodeResetOffsetBodyForC,
  encodeTopicStatsTable,
  type OffsetWrapper,
  type QueueTimeSpan,
  type TopicOffset,
} from "../../protocol/body/queue-stats-bodies.js";
import {
  decodeConsumerGroupHeader,
  decodeGetConsumerRunningInfoRequestHeader,
  decodeGetConsumeStatsRequestHeader,
  decodeProducerGroupHeader,
} from "../../protocol/header/admin-group-headers.js";
import {
  decodeQueryConsumeTimeSpanRequestHeader,
  decodeTopicRequestHeader,
} from "../../protocol/header/admin-topic-headers.js";
import {
  decodeResetOffsetRequestHeader,
  encodeResetOffsetRequestHeader,
  type ResetOffsetRequestHeader,
} from "../../protocol/header/reset-offset-request-header.js";
import { createRequest, createResponse, type RemotingCommand } from "../../protocol/remoting-command.js";
import { RequestCode } from "../../protocol/request-code.js";
import { ResponseCode } from "../../protocol/response-code.js";
import type { BrokerContext } from "../broker-context.js";
import type { ClientChannelInfo } from "../client-manager.js";

/** How long the broker waits for a consumer's answer to a forwarded request (Apache Broker2Client.callClient). */
export const CALL_CONSUMER_TIMEOUT_MS = 10_000;
/** MQVersion ordinals: clients older than these cannot answer GET_CONSUMER_RUNNING_INFO / take offset resets. */
export const VERSION_V3_1_8_SNAPSHOT = 62;
export const VERSION_V3_0_7_SNAPSHOT = 28;

function ok(request: RemotingCommand, body: Buffer): RemotingCommand {
  return createResponse(request, ResponseCode.SUCCESS, undefined, {}, body);
}

export class ConsumerAdminProcessor {
  constructor(
    private readonly ctx: BrokerContext,
    private readonly callConsumerTimeoutMs = CALL_CONSUMER_TIMEOUT_MS,
  ) {}

  private mq(topic: string, queueId: number): MessageQueue {
    return { topic, brokerName: this.ctx.config.brokerName, queueId };
  }

  private storeTime(topic: string, queueId: number, offset: number): number {
    return offset < 0 ? 0 : Math.max(0, this.ctx.store.getMessageStoreTimeStamp(topic, queueId, offset));
  }

  getTopicStatsInfo(request: RemotingCommand): RemotingCommand {
    const { topic } = decodeTopicRequestHeader(request.extFields);
    const tc = this.ctx.topicConfigManager.select(topic);
    if (!tc) return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist`);
    const store = this.ctx.store;
    const table: Array<[MessageQueue, TopicOffset]> = [];
    for (let i = 0; i < tc.writeQueueNums; i++) {
      const minOffset = Math.max(0, store.getMinOffsetInQueue(topic, i));
      const maxOffset = Math.max(0, store.getMaxOffsetInQueue(topic, i));
      const lastUpdateTimestamp = maxOffset > 0 ? this.storeTime(topic, i, maxOffset - 1) : 0;
      table.push([this.mq(topic, i), { minOffset, maxOffset, lastUpdateTimestamp }]);
    }
    return ok(request, encodeTopicStatsTable({ offsetTable: table, topicPutTps: 0 }));
  }

  /**
   * Offsets of a group: the given topic, else every topic it has offsets for; while the group is online, topics it
   * no longer subscribes to are left out. pullOffset equals consumerOffset (pull positions are not tracked).
   */
  getConsumeStats(request: RemotingCommand): RemotingCommand {
    const h = decodeGetConsumeStatsRequestHeader(request.extFields);
    const group = h.consumerGroup;
    const topics =
      h.topic !== undefined ? [h.topic] : this.ctx.consumerOffsetManager.whichTopicByConsumer(group);
    const subscriptions = this.ctx.consumerManager.getConsumerGroupInfo(group)?.subscriptionTable;
    const store = this.ctx.store;
    const table: Array<[MessageQueue, OffsetWrapper]> = [];
    for (const topic of [...new Set(topics)].sort()) {
      const tc = this.ctx.topicConfigManager.select(topic);
      if (!tc) continue;
      if (subscriptions && subscriptions.size > 0 && !subscriptions.has(topic)) continue;
      for (let i = 0; i < tc.readQueueNums; i++) {
        const brokerOffset = Math.max(0, store.getMaxOffsetInQueue(topic, i));
        const consumerOffset = Math.max(0, this.ctx.consumerOffsetManager.queryOffset(group, topic, i));
        const lastTimestamp = this.storeTime(topic, i, consumerOffset - 1);
        table.push([
          this.mq(topic, i),
          { brokerOffset, consumerOffset, pullOffset: consumerOffset, lastTimestamp },
        ]);
      }
    }
    return ok(request, encodeConsumeStats({ offsetTable: table, consumeTps: 0 }));
  }

  private connectionInfo(ch: ClientChannelInfo) {
    return {
      clientId: ch.clientId,
      clientAddr: ch.connection.remoteAddress,
      language: ch.language,
      version: ch.version,
    };
  }

  getConsumerConnectionList(request: RemotingCommand): RemotingCommand {
    const { consumerGroup } = decodeConsumerGroupHeader(request.extFields);
    const info = this.ctx.consumerManager.getConsumerGroupInfo(consumerGroup);
    if (!info || info.channels.size === 0) {
      return createResponse(
        request,
        ResponseCode.CONSUMER_NOT_ONLINE,
        `the consumer group[${consumerGroup}] not online`,
      );
    }
    const body = encodeConsumerConnection({
      connectionSet: [...info.channels.values()].map((ch) => this.connectionInfo(ch)),
      subscriptionTable: [...info.subscriptionTable.values()],
      consumeType: info.consumeType,
      messageModel: info.messageModel,
      consumeFromWhere: info.consumeFromWhere,
    });
    return ok(request, body);
  }

  getProducerConnectionList(request: RemotingCommand): RemotingCommand {
    const { producerGroup } = decodeProducerGroupHeader(request.extFields);
    const channels = this.ctx.producerManager.getGroup(producerGroup);
    if (channels.length === 0) {
      return createResponse(
        request,
        ResponseCode.SYSTEM_ERROR,
        `the producer group[${producerGroup}] not exist`,
      );
    }
    return ok(request, encodeProducerConnection(channels.map((ch) => this.connectionInfo(ch))));
  }

  queryTopicConsumeByWho(request: RemotingCommand): RemotingCommand {
    const { topic } = decodeTopicRequestHeader(request.extFields);
    const groups = new Set([
      ...this.ctx.consumerManager.queryTopicConsumeByWho(topic),
      ...this.ctx.consumerOffsetManager.whichGroupByTopic(topic),
    ]);
    return ok(request, encodeGroupList([...groups].sort()));
  }

  /** Store times over both tiers when the store is tiered (the oldest may be in the object store). */
  async queryConsumeTimeSpan(request: RemotingCommand): Promise<RemotingCommand> {
    const { topic, group } = decodeQueryConsumeTimeSpanRequestHeader(request.extFields);
    const tc = this.ctx.topicConfigManager.select(topic);
    if (!tc) return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist`);
    const store = this.ctx.store;
    const timeAt = (q: number, o: number) =>
      store.getMessageStoreTimeStampAsync
        ? store.getMessageStoreTimeStampAsync(topic, q, o)
        : Promise.resolve(store.getMessageStoreTimeStamp(topic, q, o));
    const spans: QueueTimeSpan[] = [];
    for (let i = 0; i < tc.writeQueueNums; i++) {
      const minTimeStamp = store.getEarliestMessageTimeAsync
        ? await store.getEarliestMessageTimeAsync(topic, i)
        : store.getEarliestMessageTime(topic, i);
      const max = store.getMaxOffsetInQueue(topic, i);
      const maxTimeStamp = await timeAt(i, max - 1);
      const consumerOffset = this.ctx.consumerOffsetManager.queryOffset(group, topic, i);
      const consumeTimeStamp = consumerOffset > 0 ? await timeAt(i, consumerOffset - 1) : minTimeStamp;
      const next = Math.max(0, consumerOffset);
      const delayTime = next < max ? this.ctx.clock.nowMs() - (await timeAt(i, next)) : 0;
      spans.push({
        messageQueue: this.mq(topic, i),
        minTimeStamp,
        maxTimeStamp,
        consumeTimeStamp,
        delayTime,
      });
    }
    return ok(request, encodeQueryConsumeTimeSpanBody(spans));
  }

  /** Forwards the request to the consumer's connection and answers with the consumer's reply. */
  async getConsumerRunningInfo(request: RemotingCommand): Promise<RemotingCommand> {
    const h = decodeGetConsumerRunningInfoRequestHeader(request.extFields);
    const who = `<${h.consumerGroup}> <${h.clientId}>`;
    const ch = this.ctx.consumerManager.findChannel(h.consumerGroup, h.clientId);
    if (!ch || ch.connection.isClosed()) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `The Consumer ${who} not online`);
    }
    if (ch.version < VERSION_V3_1_8_SNAPSHOT) {
      const remark = `The Consumer <${h.clientId}> Version <${ch.version}> too low to finish, please upgrade it to V3_1_8_SNAPSHOT`;
      return createResponse(request, ResponseCode.SYSTEM_ERROR, remark);
    }
    const forwarded = createRequest(
      RequestCode.GET_CONSUMER_RUNNING_INFO,
      { ...request.extFields },
      request.body,
    );
    try {
      const answer = await ch.connection.invoke(forwarded, this.callConsumerTimeoutMs);
      return createResponse(request, answer.code, answer.remark, { ...answer.extFields }, answer.body);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (isStratusError(e, "TIMEOUT")) {
        return createResponse(
          request,
          ResponseCode.CONSUME_MSG_TIMEOUT,
          `consumer ${who} Timeout: ${message}`,
        );
      }
      return createResponse(
        request,
        ResponseCode.SYSTEM_ERROR,
        `invoke consumer ${who} Exception: ${message}`,
      );
    }
  }

  /**
   * Computes each write queue's offset for the timestamp (-1 = the max offset; without isForce an offset only
   * moves backwards), stores it and pushes RESET_CONSUMER_CLIENT_OFFSET to every consumer of the group.
   */
  async resetOffset(request: RemotingCommand): Promise<RemotingCommand> {
    const h = decodeResetOffsetRequestHeader(request.extFields);
    const tc = this.ctx.topicConfigManager.select(h.topic);
    if (!tc) {
      const remark = `[reset-offset] reset offset failed, no topic in this broker. topic=${h.topic}`;
      return createResponse(request, ResponseCode.SYSTEM_ERROR, remark);
    }
    const offsets = await this.resetOffsets(h, tc.writeQueueNums);
    if (offsets === undefined) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `THe consumer group <${h.group}> not exist`);
    }
    const channels = [...(this.ctx.consumerManager.getConsumerGroupInfo(h.group)?.channels.values() ?? [])];
    if (channels.length === 0) {
      const remark = `Consumer not online, so can not reset offset, Group: ${h.group} Topic: ${h.topic} Timestamp: ${h.timestamp}`;
      return createResponse(request, ResponseCode.CONSUMER_NOT_ONLINE, remark);
    }
    const old = channels.find((ch) => ch.version < VERSION_V3_0_7_SNAPSHOT);
    if (old) {
      return createResponse(
        request,
        ResponseCode.SYSTEM_ERROR,
        `the client does not support this feature. version=${old.version}`,
      );
    }
    for (const [mq, offset] of offsets)
      this.ctx.consumerOffsetManager.commitOffset(h.group, mq.topic, mq.queueId, offset);
    const header = encodeResetOffsetRequestHeader({ ...h, isForce: false });
    const body =
      request.language === "CPP" ? encodeResetOffsetBodyForC(offsets) : encodeResetOffsetBody(offsets);
    for (const ch of channels) {
      if (!ch.connection.isClosed()) {
        ch.connection.invokeOneway(createRequest(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, header, body));
      }
    }
    return ok(request, encodeResetOffsetBody(offsets));
  }

  private async resetOffsets(
    h: ResetOffsetRequestHeader,
    queueNums: number,
  ): Promise<Array<[MessageQueue, number]> | undefined> {
    const store = this.ctx.store;
    const out: Array<[MessageQueue, number]> = [];
    for (let i = 0; i < queueNums; i++) {
      const consumerOffset = this.ctx.consumerOffsetManager.queryOffset(h.group, h.topic, i);
      if (consumerOffset === -1) return undefined;
      const byTime =
        h.timestamp === -1
          ? store.getMaxOffsetInQueue(h.topic, i)
          : store.getOffsetInQueueByTimeAsync
            ? await store.getOffsetInQueueByTimeAsync(h.topic, i, h.timestamp)
            : store.getOffsetInQueueByTime(h.topic, i, h.timestamp);
      const target = Math.max(0, byTime);
      out.push([this.mq(h.topic, i), h.isForce || target < consumerOffset ? target : consumerOffset]);
    }
    return out;
  }
}
