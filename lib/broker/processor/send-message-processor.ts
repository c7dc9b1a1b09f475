/**
 * SEND_MESSAGE (10), SEND_MESSAGE_V2 (310), SEND_BATCH_MESSAGE (320): validate, resolve the topic (auto-create),
 * route retry messages to the DLQ past max reconsume times, append, answer with msgId/queueId/queueOffset.
 */
import { isStratusError } from "../../common/errors.js";
import { MAX_PROPERTIES_BYTES } from "../../common/limits.js";
import { extString } from "../../protocol/header/ext-fields.js";
import {
  decodeSendMessageRequestHeader,
  type SendMessageRequestHeader,
} from "../../protocol/header/send-message-request-header.js";
import { decodeBatchBody } from "../../protocol/message-batch.js";
import { encodeSocketAddress } from "../../protocol/message-id.js";
import {
  decodeProperties,
  encodeProperties,
  getProperty,
  MessageConst,
} from "../../protocol/message-properties.js";
import type { MessageExtBrokerInner } from "../../protocol/message-record.js";
import { MessageSysFlag } from "../../protocol/message-sys-flag.js";
import { isWriteable } from "../../protocol/perm-name.js";
import { createResponse, type RemotingCommand } from "../../protocol/remoting-command.js";
import { ResponseCode } from "../../protocol/response-code.js";
import { tagsString2tagsCode } from "../../protocol/tags.js";
import type { TopicConfig } from "../../protocol/topic-config.js";
import type { Connection } from "../../remoting/connection.js";
import type { PutMessageResult } from "../../store/message-store.js";
import type { BrokerContext } from "../broker-context.js";
import type { ScheduleMessageService } from "../schedule/schedule-message-service.js";
import type { TimerMessageService } from "../schedule/timer-message-service.js";
import { getDLQTopic, isNotAllowedSendTopic, MixAll, validateTopic } from "../topic-validator.js";
import type { TransactionalMessageService } from "../transaction/transactional-message-service.js";
import type { UniqKeyGenerator } from "../uniq-key.js";
import { putStatusToResponse } from "./put-status.js";

/** Version from which the broker honours the header's maxReconsumeTimes (MQVersion V3_4_9). */
const V3_4_9 = 121;

interface Resolved {
  topic: string;
  queueId: number;
  topicConfig: TopicConfig;
  properties: Map<string, string>;
}

type Reply = (code: number, remark?: string) => RemotingCommand;

export class SendMessageProcessor {
  constructor(
    private readonly ctx: BrokerContext,
    private readonly uniqKeys: UniqKeyGenerator,
    private readonly schedule: ScheduleMessageService,
    private readonly tx: TransactionalMessageService,
    private readonly timer: TimerMessageService,
  ) {}

  async process(request: RemotingCommand, conn: Connection): Promise<RemotingCommand> {
    const reply: Reply = (code, remark) => createResponse(request, code, remark, this.baseExt());
    let header: SendMessageRequestHeader;
    try {
      header = decodeSendMessageRequestHeader(request.code, request.extFields);
    } catch (e) {
      if (isStratusError(e)) return reply(ResponseCode.SYSTEM_ERROR, e.message);
      throw e;
    }
    const resolved = this.resolve(header, request, reply);
    if ("code" in resolved) return resolved;
    const body = request.body ?? Buffer.alloc(0);
    const bornHost = encodeSocketAddress(conn.remoteAddress);
    if (header.batch) return this.sendBatch(request, header, resolved, body, bornHost, reply);
    if (body.length > this.ctx.config.maxMessageSize) {
      return reply(
        ResponseCode.MESSAGE_ILLEGAL,
        `the message body size ${body.length} is over the limit maxMessageSize=${this.ctx.config.maxMessageSize}`,
      );
    }
    const msg = this.buildInner(header, resolved, body, resolved.properties, header.flag, bornHost);
    if (msg === undefined)
      return reply(
        ResponseCode.MESSAGE_ILLEGAL,
        `the message properties are longer than ${MAX_PROPERTIES_BYTES}`,
      );
    const props = resolved.properties;
    if (props.get(MessageConst.PROPERTY_TRANSACTION_PREPARED) === "true") {
      if (this.ctx.config.rejectTransactionMessage) {
        return reply(
          ResponseCode.NO_PERMISSION,
          `the broker[${this.ctx.config.brokerIP1}] sending transaction message is forbidden`,
        );
      }
      const half = await this.tx.prepare(msg, props);
      return this.answer(request, half, resolved.queueId, msg.propertiesString, reply);
    }
    const level = Number(props.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL) ?? 0);
    let stored = msg;
    if (Number.isInteger(level) && level > 0) {
      stored = this.schedule.toScheduleTopic(msg, props, level);
    } else {
      const timer = this.timer.transform(msg, props);
      if (timer.kind === "error") {
        const code = this.ctx.config.timerWheelEnable
          ? ResponseCode.MESSAGE_ILLEGAL
          : ResponseCode.SYSTEM_ERROR;
        return reply(code, timer.remark);
      }
      if (timer.kind === "timer") stored = timer.msg;
    }
    const result = await this.ctx.store.putMessage(stored);
    return this.answer(request, result, resolved.queueId, msg.propertiesString, reply);
  }

  private baseExt(): Record<string, string> {
    return { MSG_REGION: this.ctx.config.regionId, TRACE_ON: String(this.ctx.config.traceOn) };
  }

  /** Steps 1–5 of Apache's send path: permissions, topic, queue, retry/DLQ rewrite. */
  private resolve(
    header: SendMessageRequestHeader,
    request: RemotingCommand,
    reply: Reply,
  ): Resolved | RemotingCommand {
    const ctx = this.ctx;
    const invalid = validateTopic(header.topic);
    if (invalid) return reply(ResponseCode.SYSTEM_ERROR, invalid);
    if (isNotAllowedSendTopic(header.topic)) {
      return reply(ResponseCode.NO_PERMISSION, `Sending message to topic[${header.topic}] is forbidden.`);
    }
    let topicConfig = ctx.topicConfigManager.select(header.topic);
    if (!topicConfig) {
      topicConfig = header.topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX)
        ? ctx.topicConfigManager.createTopicIfAbsent(header.topic, 1)
        : ctx.topicConfigManager.createTopicInSendMessageMethod(
            header.topic,
            header.defaultTopic,
            header.defaultTopicQueueNums,
            header.unitMode ? 1 : 0,
          );
      if (topicConfig) ctx.registerBrokerAll();
    }
    if (!topicConfig) {
      return reply(ResponseCode.TOPIC_NOT_EXIST, `topic[${header.topic}] not exist, apply first please!`);
    }
    if (!isWriteable(ctx.config.brokerPermission) && topicConfig.order) {
      return reply(
        ResponseCode.NO_PERMISSION,
        `the broker[${ctx.config.brokerIP1}] sending message is forbidden`,
      );
    }
    const queueNums = Math.max(topicConfig.writeQueueNums, topicConfig.readQueueNums);
    if (header.queueId >= queueNums) {
      return reply(
        ResponseCode.SYSTEM_ERROR,
        `request queueId[${header.queueId}] is illegal, ${topicConfig.topicName} max queue nums ${queueNums}`,
      );
    }
    const queueId =
      header.queueId < 0 ? ctx.random.int(Math.max(1, topicConfig.writeQueueNums)) : header.queueId;
    const properties = decodeProperties(header.properties);
    const resolved: Resolved = { topic: header.topic, queueId, topicConfig, properties };
    return this.handleRetryAndDLQ(header, request, resolved, reply);
  }

  private handleRetryAndDLQ(
    header: SendMessageRequestHeader,
    request: RemotingCommand,
    r: Resolved,
    reply: Reply,
  ) {
    if (!r.topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX)) return r;
    if (header.batch)
      return reply(ResponseCode.MESSAGE_ILLEGAL, "retry topic is not allowed in a batch message");
    const group = r.topic.slice(MixAll.RETRY_GROUP_TOPIC_PREFIX.length);
    const groupConfig = this.ctx.subscriptionGroupManager.findSubscriptionGroupConfig(group);
    if (!groupConfig)
      return reply(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group not exist, ${group}`);
    const max =
      request.version >= V3_4_9 && header.maxReconsumeTimes !== undefined
        ? header.maxReconsumeTimes
        : groupConfig.retryMaxTimes;
    if (header.reconsumeTimes <= max) return r;
    const dlq = getDLQTopic(group);
    const topicConfig = this.ctx.topicConfigManager.createTopicIfAbsent(dlq, 1);
    this.ctx.registerBrokerAll();
    r.properties.set(MessageConst.PROPERTY_DELAY_TIME_LEVEL, "-1");
    return { ...r, topic: dlq, queueId: 0, topicConfig };
  }

  /** Steps 6–8: flags, UNIQ_KEY, hosts, CLUSTER, tagsCode. undefined when the properties are too long. */
  private buildInner(
    header: SendMessageRequestHeader,
    r: Resolved,
    body: Buffer,
    properties: Map<string, string>,
    flag: number,
    bornHost: Buffer,
  ): MessageExtBrokerInner | undefined {
    let sysFlag = header.sysFlag;
    if (r.topicConfig.topicFilterType === "MULTI_TAG") sysFlag |= MessageSysFlag.MULTI_TAGS_FLAG;
    if (!properties.has(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX)) {
      properties.set(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, this.uniqKeys.next());
    }
    properties.set(MessageConst.PROPERTY_CLUSTER, this.ctx.config.brokerClusterName);
    // Apache stores these with every message; the 5.x trace dispatcher skips messages without a region.
    properties.set(MessageConst.PROPERTY_MSG_REGION, this.ctx.config.regionId);
    properties.set(MessageConst.PROPERTY_TRACE_SWITCH, String(this.ctx.config.traceOn));
    const propertiesString = encodeProperties(properties);
    if (Buffer.byteLength(propertiesString) > MAX_PROPERTIES_BYTES) return undefined;
    return {
      topic: r.topic,
      queueId: r.queueId,
      flag,
      body,
      propertiesString,
      tagsCode: tagsString2tagsCode(properties.get(MessageConst.PROPERTY_TAGS)),
      sysFlag,
      bornTimestamp: header.bornTimestamp,
      bornHost,
      storeHost: this.ctx.storeHost,
      reconsumeTimes: header.reconsumeTimes,
      preparedTransactionOffset: 0,
    };
  }

  private async sendBatch(
    request: RemotingCommand,
    header: SendMessageRequestHeader,
    r: Resolved,
    body: Buffer,
    bornHost: Buffer,
    reply: Reply,
  ): Promise<RemotingCommand> {
    // Apache checks the encoded batch as a whole against maxMessageSize, before anything is stored.
    if (body.length > this.ctx.config.maxMessageSize) {
      return reply(
        ResponseCode.MESSAGE_ILLEGAL,
        `the batch body size ${body.length} is over the limit maxMessageSize=${this.ctx.config.maxMessageSize}`,
      );
    }
    let batch: ReturnType<typeof decodeBatchBody>;
    try {
      batch = decodeBatchBody(body);
    } catch (e) {
      if (isStratusError(e)) return reply(ResponseCode.MESSAGE_ILLEGAL, e.message);
      throw e;
    }
    if (batch.length === 0) return reply(ResponseCode.MESSAGE_ILLEGAL, "the batch is empty");
    const msgs: MessageExtBrokerInner[] = [];
    for (const m of batch) {
      const props = decodeProperties(m.propertiesString);
      const inner = this.buildInner(header, r, m.body, props, m.flag, bornHost);
      if (!inner)
        return reply(
          ResponseCode.MESSAGE_ILLEGAL,
          `the message properties are longer than ${MAX_PROPERTIES_BYTES}`,
        );
      msgs.push(inner);
    }
    const result = await this.ctx.store.putMessages(msgs);
    return this.answer(request, result, r.queueId, msgs[0]?.propertiesString ?? "", reply);
  }

  private answer(
    request: RemotingCommand,
    result: PutMessageResult,
    queueId: number,
    props: string,
    reply: Reply,
  ) {
    const mapped = putStatusToResponse(result);
    const first = result.appended[0];
    if (!mapped.stored || !first) return reply(mapped.code, mapped.remark);
    const bytes = result.appended.reduce((n, a) => n + a.wroteBytes, 0);
    this.ctx.stats.recordPut(result.appended.length, bytes);
    const uniq = getProperty(props, MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX);
    const ext: Record<string, string> = {
      ...this.baseExt(),
      msgId: result.appended.map((a) => a.msgId).join(","),
      queueId: String(queueId),
      queueOffset: extString(first.queueOffset),
    };
    if (uniq !== undefined && result.appended.length === 1) ext.transactionId = uniq;
    return createResponse(request, mapped.code, mapped.remark, ext);
  }
}
