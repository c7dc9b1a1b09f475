/**
 * CONSUMER_SEND_MSG_BACK (36): a consumer failed a message; put a copy on %RETRY%<group> with the delay level
 * for its reconsume count, or on %DLQ%<group> once maxReconsumeTimes is reached (or delayLevel < 0).
 */
import { isStratusError } from "../../common/errors.js";
import { decodeConsumerSendMsgBackRequestHeader } from "../../protocol/header/consumer-send-msg-back-request-header.js";
import { decodeProperties, MessageConst } from "../../protocol/message-properties.js";
import { decodeMessageRecord } from "../../protocol/message-record.js";
import { isWriteable } from "../../protocol/perm-name.js";
import { createResponse, type RemotingCommand } from "../../protocol/remoting-command.js";
import { ResponseCode } from "../../protocol/response-code.js";
import type { BrokerContext } from "../broker-context.js";
import type { ScheduleMessageService } from "../schedule/schedule-message-service.js";
import { copyStoredMessage } from "../stored-message-copy.js";
import { getDLQTopic, getRetryTopic } from "../topic-validator.js";

/** Version from which the broker honours the header's maxReconsumeTimes (MQVersion V3_4_9). */
const V3_4_9 = 121;

export class SendMsgBackProcessor {
  constructor(
    private readonly ctx: BrokerContext,
    private readonly schedule: ScheduleMessageService,
  ) {}

  async process(request: RemotingCommand): Promise<RemotingCommand> {
    const fail = (code: number, remark: string) => createResponse(request, code, remark);
    let h: ReturnType<typeof decodeConsumerSendMsgBackRequestHeader>;
    try {
      h = decodeConsumerSendMsgBackRequestHeader(request.extFields);
    } catch (e) {
      if (isStratusError(e)) return fail(ResponseCode.SYSTEM_ERROR, e.message);
      throw e;
    }
    const ctx = this.ctx;
    const group = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(h.group);
    if (!group)
      return fail(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group not exist, ${h.group}`);
    if (!isWriteable(ctx.config.brokerPermission)) {
      return fail(
        ResponseCode.NO_PERMISSION,
        `the broker[${ctx.config.brokerIP1}] sending message is forbidden`,
      );
    }
    if (group.retryQueueNums <= 0) return createResponse(request, ResponseCode.SUCCESS);
    // A message consumed from the tier is no longer on local disk: read it the way queries do.
    const record = ctx.store.lookMessageByOffsetAsync
      ? await ctx.store.lookMessageByOffsetAsync(h.offset)
      : ctx.store.lookMessageByOffset(h.offset);
    if (!record) return fail(ResponseCode.SYSTEM_ERROR, `look message by offset failed, ${h.offset}`);
    const msg = decodeMessageRecord(record);
    const props = decodeProperties(msg.propertiesString);
    if (!props.has(MessageConst.PROPERTY_RETRY_TOPIC))
      props.set(MessageConst.PROPERTY_RETRY_TOPIC, msg.topic);
    const max =
      request.version >= V3_4_9 && h.maxReconsumeTimes !== undefined && h.maxReconsumeTimes >= 0
        ? h.maxReconsumeTimes
        : group.retryMaxTimes;
    const toDLQ = msg.reconsumeTimes >= max || h.delayLevel < 0;
    const topic = toDLQ ? getDLQTopic(h.group) : getRetryTopic(h.group);
    const queueNums = toDLQ ? 1 : group.retryQueueNums;
    const before = ctx.topicConfigManager.select(topic);
    ctx.topicConfigManager.createTopicIfAbsent(topic, queueNums);
    if (!before) ctx.registerBrokerAll();
    // Apache names the first failed copy by its offset message id (the id the broker decodes a stored
    // record with), not the header's originMsgId; later copies keep what the first one got.
    if (!props.has(MessageConst.PROPERTY_ORIGIN_MESSAGE_ID)) {
      props.set(MessageConst.PROPERTY_ORIGIN_MESSAGE_ID, msg.offsetMsgId);
    }
    // Apache's dead-letter copy carries delay level 0 (not delayed); a retry gets its level below.
    if (toDLQ) props.set(MessageConst.PROPERTY_DELAY_TIME_LEVEL, "0");
    else props.delete(MessageConst.PROPERTY_DELAY_TIME_LEVEL);
    let inner = copyStoredMessage(msg, {
      topic,
      queueId: toDLQ ? 0 : ctx.random.int(queueNums),
      properties: props,
      storeHost: ctx.storeHost,
      reconsumeTimes: msg.reconsumeTimes + 1,
      preparedTransactionOffset: 0,
    });
    if (!toDLQ) {
      const level = h.delayLevel === 0 ? 3 + msg.reconsumeTimes : h.delayLevel;
      inner = this.schedule.toScheduleTopic(inner, props, level);
    }
    const put = await ctx.store.putMessage(inner);
    if (put.status === "PUT_OK" || put.status === "FLUSH_DISK_TIMEOUT")
      return createResponse(request, ResponseCode.SUCCESS);
    return fail(ResponseCode.SYSTEM_ERROR, put.status);
  }
}
