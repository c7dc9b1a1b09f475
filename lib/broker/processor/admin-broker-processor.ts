/**
 * The broker's admin commands (what mqadmin and the consoles send, protocol §7), registered by
 * `registerAdminProcessors`. This file holds topic and subscription-group administration; broker info/config,
 * consumer administration, message query and queue locks live in their own processor files.
 *
 * Malformed headers or bodies throw StratusError; the dispatcher answers those SYSTEM_ERROR with the message as
 * the remark (Java answers a RemotingCommandException the same way). Checks Java performs answer Java's code
 * (SYSTEM_ERROR for a bad topic name); checks Stratus adds (perm, queue counts, filter type, group name) answer
 * INVALID_PARAMETER with a remark naming the value.
 */
import { MAX_QUEUE_NUMS } from "../../common/limits.js";
import {
  decodeSubscriptionGroupConfig,
  encodeSubscriptionGroupWrapper,
  encodeTopicConfigSerializeWrapper,
} from "../../protocol/body/admin-bodies.js";
import { encodeTopicList } from "../../protocol/cluster-info.js";
import { type DataVersion, nextDataVersion } from "../../protocol/data-version.js";
import { decodeDeleteSubscriptionGroupRequestHeader } from "../../protocol/header/admin-group-headers.js";
import {
  decodeTopicRequestHeader,
  parseTopicAttributes,
  type TopicAttributeChange,
} from "../../protocol/header/admin-topic-headers.js";
import { decodeCreateTopicRequestHeader } from "../../protocol/header/create-topic-request-header.js";
import { isValidPerm } from "../../protocol/perm-name.js";
import { createResponse, type RemotingCommand } from "../../protocol/remoting-command.js";
import { RequestCode } from "../../protocol/request-code.js";
import { ResponseCode } from "../../protocol/response-code.js";
import { encodeTopicConfigJson, type TopicConfig } from "../../protocol/topic-config.js";
import type { RequestDispatcher } from "../../remoting/dispatcher.js";
import type { BrokerContext } from "../broker-context.js";
import { RebalanceLockManager } from "../rebalance-lock-manager.js";
import { isSystemTopic, validateGroup, validateTopic } from "../topic-validator.js";
import { BrokerInfoProcessor, type ScheduleOffsetTable } from "./broker-info-processor.js";
import { ConsumerAdminProcessor } from "./consumer-admin-processor.js";
import { registerQueryMessageProcessors } from "./query-message-processor.js";
import { registerQueueLockProcessors } from "./queue-lock-processor.js";

export interface AdminProcessorOptions {
  /** Delay level → offset the schedule service has delivered up to (runtime info scheduleMessageOffset_<level>). */
  scheduleOffsetTable?: ScheduleOffsetTable;
  /** The broker's queue locks (a fresh one when absent). */
  lockManager?: RebalanceLockManager;
  /** How long a request forwarded to a consumer waits for its answer (default CALL_CONSUMER_TIMEOUT_MS). */
  callConsumerTimeoutMs?: number;
}

/** Registers every admin, query and queue-lock command on `dispatcher`. */
export function registerAdminProcessors(
  dispatcher: RequestDispatcher,
  ctx: BrokerContext,
  options: AdminProcessorOptions = {},
): void {
  const topics = new TopicAdminProcessor(ctx);
  const groups = new SubscriptionGroupAdminProcessor(ctx);
  const info = new BrokerInfoProcessor(ctx, options.scheduleOffsetTable);
  const consumers = new ConsumerAdminProcessor(ctx, options.callConsumerTimeoutMs);
  const d = dispatcher;
  d.register(RequestCode.UPDATE_AND_CREATE_TOPIC, (r) => topics.updateAndCreateTopic(r));
  d.register(RequestCode.DELETE_TOPIC_IN_BROKER, (r) => topics.deleteTopic(r));
  d.register(RequestCode.GET_ALL_TOPIC_CONFIG, (r) => topics.getAllTopicConfig(r));
  d.register(RequestCode.GET_TOPIC_CONFIG, (r) => topics.getTopicConfig(r));
  d.register(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER, (r) => topics.getSystemTopicList(r));
  d.register(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, (r) => groups.updateAndCreate(r));
  d.register(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, (r) => groups.getAll(r));
  d.register(RequestCode.DELETE_SUBSCRIPTIONGROUP, (r) => groups.delete(r));
  d.register(RequestCode.GET_BROKER_RUNTIME_INFO, (r) => info.getBrokerRuntimeInfo(r));
  d.register(RequestCode.GET_BROKER_CONFIG, (r) => info.getBrokerConfig(r));
  d.register(RequestCode.UPDATE_BROKER_CONFIG, (r) => info.updateBrokerConfig(r));
  d.register(RequestCode.GET_TOPIC_STATS_INFO, (r) => consumers.getTopicStatsInfo(r));
  d.register(RequestCode.GET_CONSUME_STATS, (r) => consumers.getConsumeStats(r));
  d.register(RequestCode.GET_CONSUMER_CONNECTION_LIST, (r) => consumers.getConsumerConnectionList(r));
  d.register(RequestCode.GET_PRODUCER_CONNECTION_LIST, (r) => consumers.getProducerConnectionList(r));
  d.register(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, (r) => consumers.queryTopicConsumeByWho(r));
  d.register(RequestCode.QUERY_CONSUME_TIME_SPAN, (r) => consumers.queryConsumeTimeSpan(r));
  d.register(RequestCode.GET_CONSUMER_RUNNING_INFO, (r) => consumers.getConsumerRunningInfo(r));
  d.register(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, (r) => consumers.resetOffset(r));
  registerQueryMessageProcessors(d, ctx);
  registerQueueLockProcessors(d, options.lockManager ?? new RebalanceLockManager(ctx.clock));
}

function invalid(request: RemotingCommand, remark: string): RemotingCommand {
  return createResponse(request, ResponseCode.INVALID_PARAMETER, remark);
}

/**
 * The new attribute map after applying 5.x `+k=v` / `-k` changes to `current` (Apache AttributeUtil): on creation
 * only additions are allowed; deleting a key that is not set is an error. Returns a string error instead.
 */
export function alterTopicAttributes(
  current: Readonly<Record<string, string>> | undefined,
  changes: readonly TopicAttributeChange[],
): Record<string, string> | string {
  const out: Record<string, string> = { ...(current ?? {}) };
  for (const c of changes) {
    if (c.op === "+") {
      out[c.key] = c.value;
    } else if (current === undefined) {
      return `only add attribute is supported while creating topic. key: ${c.key}`;
    } else if (!Object.hasOwn(out, c.key)) {
      return `attempt to delete a nonexistent key: ${c.key}`;
    } else {
      delete out[c.key];
    }
  }
  return out;
}

class TopicAdminProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  /** Java's TopicValidator checks, the broker's own cluster/broker-name topics counted as system topics. */
  private checkTopicName(topic: string): string | undefined {
    const bad = validateTopic(topic);
    if (bad !== undefined) return bad;
    const c = this.ctx.config;
    if (isSystemTopic(topic) || topic === c.brokerClusterName || topic === c.brokerName) {
      return `The topic[${topic}] is conflict with system topic.`;
    }
    return undefined;
  }

  /** Answers after the NameServers have the new config, so a route lookup right after it finds the topic. */
  async updateAndCreateTopic(request: RemotingCommand): Promise<RemotingCommand> {
    const h = decodeCreateTopicRequestHeader(request.extFields);
    const badName = this.checkTopicName(h.topic);
    if (badName !== undefined) return createResponse(request, ResponseCode.SYSTEM_ERROR, badName);
    if (h.topicFilterType !== "SINGLE_TAG" && h.topicFilterType !== "MULTI_TAG") {
      return invalid(
        request,
        `topicFilterType must be SINGLE_TAG or MULTI_TAG, got ${h.topicFilterType.slice(0, 40)}`,
      );
    }
    if (!isValidPerm(h.perm))
      return invalid(request, `perm ${h.perm} is invalid: it must be 0..7 (R=4, W=2, X=1)`);
    for (const [name, n] of [
      ["readQueueNums", h.readQueueNums],
      ["writeQueueNums", h.writeQueueNums],
    ] as const) {
      if (n < 0 || n > MAX_QUEUE_NUMS)
        return invalid(request, `${name} ${n} is out of range 0..${MAX_QUEUE_NUMS}`);
    }
    let changes: TopicAttributeChange[];
    try {
      changes = parseTopicAttributes(h.attributes);
    } catch (e) {
      return invalid(request, (e as Error).message);
    }
    const attributes = alterTopicAttributes(this.ctx.topicConfigManager.select(h.topic)?.attributes, changes);
    if (typeof attributes === "string") return invalid(request, attributes);
    const tc: TopicConfig = {
      topicName: h.topic,
      readQueueNums: h.readQueueNums,
      writeQueueNums: h.writeQueueNums,
      perm: h.perm,
      topicFilterType: h.topicFilterType,
      topicSysFlag: h.topicSysFlag,
      order: h.order,
      attributes,
    };
    this.ctx.topicConfigManager.update(tc);
    await this.ctx.registerBrokerAll();
    return createResponse(request, ResponseCode.SUCCESS);
  }

  deleteTopic(request: RemotingCommand): RemotingCommand {
    const { topic } = decodeTopicRequestHeader(request.extFields);
    const badName = this.checkTopicName(topic);
    if (badName !== undefined) return createResponse(request, ResponseCode.SYSTEM_ERROR, badName);
    const existed = this.ctx.topicConfigManager.delete(topic);
    this.ctx.consumerOffsetManager.removeTopic(topic);
    this.ctx.store.deleteTopics([topic]);
    if (existed) this.ctx.registerBrokerAll();
    return createResponse(request, ResponseCode.SUCCESS);
  }

  getAllTopicConfig(request: RemotingCommand): RemotingCommand {
    const m = this.ctx.topicConfigManager;
    const body = encodeTopicConfigSerializeWrapper({ dataVersion: m.dataVersion, topicConfigTable: m.all() });
    return createResponse(request, ResponseCode.SUCCESS, undefined, {}, body);
  }

  getTopicConfig(request: RemotingCommand): RemotingCommand {
    const { topic } = decodeTopicRequestHeader(request.extFields);
    const tc = this.ctx.topicConfigManager.select(topic);
    if (!tc)
      return createResponse(
        request,
        ResponseCode.TOPIC_NOT_EXIST,
        `No topic in this broker. topic: ${topic}`,
      );
    const body = Buffer.from(encodeTopicConfigJson(tc), "utf8");
    return createResponse(request, ResponseCode.SUCCESS, undefined, {}, body);
  }

  /** The system topics this broker has (Apache TopicConfigManager.getSystemTopic). */
  getSystemTopicList(request: RemotingCommand): RemotingCommand {
    const c = this.ctx.config;
    const system = new Set([c.brokerClusterName, c.brokerName, `${c.brokerClusterName}_REPLY_TOPIC`]);
    if (c.traceTopicEnable) system.add(c.msgTraceTopicName);
    const topicList = this.ctx.topicConfigManager
      .all()
      .map((tc) => tc.topicName)
      .filter((t) => isSystemTopic(t) || system.has(t))
      .sort();
    return createResponse(request, ResponseCode.SUCCESS, undefined, {}, encodeTopicList({ topicList }));
  }
}

class SubscriptionGroupAdminProcessor {
  /** Version of the group table as GET_ALL_SUBSCRIPTIONGROUP_CONFIG reports it; bumped on every change here. */
  private dataVersion: DataVersion;

  constructor(private readonly ctx: BrokerContext) {
    this.dataVersion = { timestamp: ctx.clock.nowMs(), counter: 0, stateVersion: 0 };
  }

  updateAndCreate(request: RemotingCommand): RemotingCommand {
    if (!request.body || request.body.length === 0) {
      return invalid(
        request,
        "UPDATE_AND_CREATE_SUBSCRIPTIONGROUP: the body (SubscriptionGroupConfig) is empty",
      );
    }
    const config = decodeSubscriptionGroupConfig(request.body, "UPDATE_AND_CREATE_SUBSCRIPTIONGROUP");
    const badName = validateGroup(config.groupName);
    if (badName !== undefined) return invalid(request, badName);
    if (config.retryQueueNums < 0 || config.retryQueueNums > MAX_QUEUE_NUMS) {
      return invalid(request, `retryQueueNums ${config.retryQueueNums} is out of range 0..${MAX_QUEUE_NUMS}`);
    }
    this.ctx.subscriptionGroupManager.update(config);
    this.dataVersion = nextDataVersion(this.dataVersion, this.ctx.clock.nowMs());
    return createResponse(request, ResponseCode.SUCCESS);
  }

  getAll(request: RemotingCommand): RemotingCommand {
    const body = encodeSubscriptionGroupWrapper({
      dataVersion: this.dataVersion,
      subscriptionGroupTable: this.ctx.subscriptionGroupManager.all(),
    });
    return createResponse(request, ResponseCode.SUCCESS, undefined, {}, body);
  }

  delete(request: RemotingCommand): RemotingCommand {
    const h = decodeDeleteSubscriptionGroupRequestHeader(request.extFields);
    this.ctx.subscriptionGroupManager.delete(h.groupName);
    if (h.cleanOffset) this.ctx.consumerOffsetManager.removeGroup(h.groupName);
    this.dataVersion = nextDataVersion(this.dataVersion, this.ctx.clock.nowMs());
    return createResponse(request, ResponseCode.SUCCESS);
  }
}
