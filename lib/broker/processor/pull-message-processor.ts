/**
 * PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361): permission and subscription checks in Apache's order, a
 * filtered read from the store, the status→code mapping, the commit-offset piggyback, and long polling. The read
 * is the store's getMessageAsync when it has one (history in a cold tier), else getMessage.
 */
import { isStratusError } from "../../common/errors.js";
import { MAX_PULL_BYTES, MAX_PULL_MESSAGES } from "../../common/limits.js";
import type { SubscriptionData } from "../../protocol/body/heartbeat-data.js";
import { extString } from "../../protocol/header/ext-fields.js";
import {
  decodePullMessageRequestHeader,
  type PullMessageRequestHeader,
  PullSysFlag,
} from "../../protocol/header/pull-message-request-header.js";
import { isReadable } from "../../protocol/perm-name.js";
import { createResponse, type RemotingCommand } from "../../protocol/remoting-command.js";
import { RequestCode } from "../../protocol/request-code.js";
import { ResponseCode } from "../../protocol/response-code.js";
import type { Connection } from "../../remoting/connection.js";
import type { GetMessageResult, MessageFilter } from "../../store/message-store.js";
import type { BrokerContext } from "../broker-context.js";
import { buildTagSubscriptionData, checkExpression, tagMessageFilter } from "../expression-message-filter.js";
import type { PullRequestHoldService } from "../pull-request-hold-service.js";

type Outcome =
  | { response: RemotingCommand }
  | { suspend: { filter: MessageFilter | undefined; header: PullMessageRequestHeader } };

/** Builds the filter for a subscription; SQL92 support plugs in here (undefined filter = everything). */
export type FilterFactory = (sub: SubscriptionData) => MessageFilter | undefined;

export class PullMessageProcessor {
  constructor(
    private readonly ctx: BrokerContext,
    private readonly hold: PullRequestHoldService,
    private readonly filterFactory: FilterFactory = tagMessageFilter,
  ) {}

  async process(request: RemotingCommand, conn: Connection): Promise<RemotingCommand> {
    const outcome = await this.processOnce(request, true);
    if ("response" in outcome) return outcome.response;
    return this.park(request, conn, outcome.suspend.filter, outcome.suspend.header);
  }

  private park(
    request: RemotingCommand,
    conn: Connection,
    filter: MessageFilter | undefined,
    h: PullMessageRequestHeader,
  ): Promise<RemotingCommand> {
    const suspendMs = this.ctx.config.longPollingEnable
      ? h.suspendTimeoutMillis
      : this.ctx.config.shortPollingTimeMills;
    return new Promise((resolve) => {
      const parked = this.hold.suspend({
        topic: h.topic,
        queueId: h.queueId,
        pullFromThisOffset: h.queueOffset,
        deadlineMs: this.ctx.clock.monotonicMs() + suspendMs,
        filter,
        isClosed: () => conn.isClosed(),
        wake: () => {
          this.processOnce(request, false).then(
            (again) => resolve("response" in again ? again.response : this.notFound(request, h)),
            (e: unknown) => resolve(createResponse(request, ResponseCode.SYSTEM_ERROR, String(e))),
          );
        },
      });
      if (!parked) resolve(this.notFound(request, h));
    });
  }

  private notFound(request: RemotingCommand, h: PullMessageRequestHeader): RemotingCommand {
    const store = this.ctx.store;
    return this.respond(request, ResponseCode.PULL_NOT_FOUND, "OFFSET_OVERFLOW_ONE", {
      nextBeginOffset: h.queueOffset,
      minOffset: store.getMinOffsetInQueue(h.topic, h.queueId),
      maxOffset: store.getMaxOffsetInQueue(h.topic, h.queueId),
    });
  }

  private respond(
    request: RemotingCommand,
    code: number,
    remark: string | undefined,
    offsets: { nextBeginOffset: number; minOffset: number; maxOffset: number },
    records?: Buffer[],
  ): RemotingCommand {
    const response = createResponse(request, code, remark, {
      suggestWhichBrokerId: "0",
      nextBeginOffset: extString(offsets.nextBeginOffset),
      minOffset: extString(offsets.minOffset),
      maxOffset: extString(offsets.maxOffset),
    });
    // the records go out as they are, back to back, in one vectored write (no Buffer.concat copy)
    if (records !== undefined && records.length > 0) response.bodyParts = records;
    return response;
  }

  /** One pass of the pull logic; `firstTime` allows suspension and the commit-offset piggyback. */
  private async processOnce(request: RemotingCommand, firstTime: boolean): Promise<Outcome> {
    let h: PullMessageRequestHeader;
    try {
      h = decodePullMessageRequestHeader(request.extFields);
    } catch (e) {
      if (isStratusError(e))
        return { response: createResponse(request, ResponseCode.SYSTEM_ERROR, e.message) };
      throw e;
    }
    const checked = this.check(request, h);
    if ("response" in checked) return checked;
    const filter = this.filterFactory(checked.sub);
    const maxNums = Math.max(1, Math.min(h.maxMsgNums, MAX_PULL_MESSAGES));
    const maxBytes = Math.min(
      h.maxMsgBytes && h.maxMsgBytes > 0 ? h.maxMsgBytes : MAX_PULL_BYTES,
      MAX_PULL_BYTES,
    );
    const store = this.ctx.store;
    const result = store.getMessageAsync
      ? await store.getMessageAsync(h.topic, h.queueId, h.queueOffset, maxNums, maxBytes, filter)
      : store.getMessage(h.topic, h.queueId, h.queueOffset, maxNums, maxBytes, filter);
    this.ctx.stats.recordGet(result.messages.length);
    if (firstTime && (h.sysFlag & PullSysFlag.FLAG_COMMIT_OFFSET) !== 0 && h.commitOffset >= 0) {
      this.ctx.consumerOffsetManager.commitOffset(h.consumerGroup, h.topic, h.queueId, h.commitOffset);
    }
    const code = statusToCode(result, h.queueOffset);
    const suspendable = firstTime && (h.sysFlag & PullSysFlag.FLAG_SUSPEND) !== 0;
    if (code === ResponseCode.PULL_NOT_FOUND && suspendable) return { suspend: { filter, header: h } };
    const records = code === ResponseCode.SUCCESS ? result.messages : undefined;
    return { response: this.respond(request, code, result.status, result, records) };
  }

  /** Apache's checks, in order. */
  private check(
    request: RemotingCommand,
    h: PullMessageRequestHeader,
  ): { sub: SubscriptionData } | { response: RemotingCommand } {
    const ctx = this.ctx;
    const fail = (code: number, remark: string) => ({ response: createResponse(request, code, remark) });
    if (!isReadable(ctx.config.brokerPermission)) {
      return fail(
        ResponseCode.NO_PERMISSION,
        `the broker[${ctx.config.brokerIP1}] pulling message is forbidden`,
      );
    }
    if (request.code === RequestCode.LITE_PULL_MESSAGE && !ctx.config.litePullMessageEnable) {
      return fail(ResponseCode.NO_PERMISSION, "the broker does not support lite pull message");
    }
    const group = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(h.consumerGroup);
    if (!group)
      return fail(
        ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
        `subscription group [${h.consumerGroup}] does not exist`,
      );
    if (!group.consumeEnable)
      return fail(ResponseCode.NO_PERMISSION, `subscription group no permission, ${h.consumerGroup}`);
    const topicConfig = ctx.topicConfigManager.select(h.topic);
    if (!topicConfig)
      return fail(ResponseCode.TOPIC_NOT_EXIST, `topic[${h.topic}] not exist, apply first please!`);
    if (!isReadable(topicConfig.perm))
      return fail(ResponseCode.NO_PERMISSION, `the topic[${h.topic}] pulling message is forbidden`);
    if (h.queueId < 0 || h.queueId >= topicConfig.readQueueNums) {
      return fail(
        ResponseCode.SYSTEM_ERROR,
        `queueId[${h.queueId}] is illegal, topic:[${h.topic}] topicConfig.readQueueNums:[${topicConfig.readQueueNums}]`,
      );
    }
    return this.subscription(request, h, group.consumeBroadcastEnable);
  }

  private subscription(request: RemotingCommand, h: PullMessageRequestHeader, broadcastAllowed: boolean) {
    const fail = (code: number, remark: string) => ({ response: createResponse(request, code, remark) });
    const type = h.expressionType ?? "TAG";
    if (type !== "TAG" && !this.ctx.config.enablePropertyFilter) {
      return fail(
        ResponseCode.SYSTEM_ERROR,
        `The broker does not support consumer to filter message by ${type}`,
      );
    }
    if ((h.sysFlag & PullSysFlag.FLAG_SUBSCRIPTION) !== 0) {
      if (type !== "TAG") {
        const error = checkExpression(type, h.subscription ?? "");
        if (error !== undefined)
          return fail(
            ResponseCode.SUBSCRIPTION_PARSE_FAILED,
            `parse the consumer's subscription failed: ${error}`,
          );
      }
      const sub = buildTagSubscriptionData(h.topic, h.subscription ?? "*", h.subVersion);
      return {
        sub:
          type === "TAG"
            ? sub
            : { ...sub, subString: h.subscription ?? "", expressionType: type, tagsSet: [], codeSet: [] },
      };
    }
    const info = this.ctx.consumerManager.getConsumerGroupInfo(h.consumerGroup);
    if (!info)
      return fail(
        ResponseCode.SUBSCRIPTION_NOT_EXIST,
        `the consumer's group info not exist, ${h.consumerGroup}`,
      );
    if (!broadcastAllowed && info.messageModel === "BROADCASTING") {
      return fail(
        ResponseCode.NO_PERMISSION,
        `the consumer group[${h.consumerGroup}] can not consume by broadcast way`,
      );
    }
    const sub = info.subscriptionTable.get(h.topic);
    if (!sub)
      return fail(ResponseCode.SUBSCRIPTION_NOT_EXIST, `the consumer's subscription not exist, ${h.topic}`);
    if (sub.subVersion < h.subVersion) {
      return fail(
        ResponseCode.SUBSCRIPTION_NOT_LATEST,
        `the consumer's subscription not latest, ${sub.subString}`,
      );
    }
    return { sub };
  }
}

/** Store status → response code (protocol doc §5.4 table). */
export function statusToCode(result: GetMessageResult, requestedOffset: number): number {
  switch (result.status) {
    case "FOUND":
      return ResponseCode.SUCCESS;
    case "NO_MATCHED_MESSAGE":
    case "MESSAGE_WAS_REMOVING":
      return ResponseCode.PULL_RETRY_IMMEDIATELY;
    case "NO_MATCHED_LOGIC_QUEUE":
    case "NO_MESSAGE_IN_QUEUE":
      return requestedOffset !== 0 ? ResponseCode.PULL_OFFSET_MOVED : ResponseCode.PULL_NOT_FOUND;
    case "OFFSET_OVERFLOW_ONE":
    case "OFFSET_FOUND_NULL":
      return ResponseCode.PULL_NOT_FOUND;
    case "OFFSET_TOO_SMALL":
    case "OFFSET_OVERFLOW_BADLY":
      return ResponseCode.PULL_OFFSET_MOVED;
    default:
      return ResponseCode.SYSTEM_ERROR;
  }
}
