/** HEART_BEAT (34), UNREGISTER_CLIENT (35), CHECK_CLIENT_CONFIG (46). */
import { decodeHeartbeatData, decodeSubscriptionData } from "../../protocol/body/heartbeat-data.js";
import { jsonObject, parseJsonBody } from "../../protocol/body/json-body.js";
import { optionalString, requireString } from "../../protocol/header/ext-fields.js";
import { createResponse, type RemotingCommand } from "../../protocol/remoting-command.js";
import { ResponseCode } from "../../protocol/response-code.js";
import type { Connection } from "../../remoting/connection.js";
import type { BrokerContext } from "../broker-context.js";

/** Validates a non-TAG expression; returns the parse error, or undefined when it compiles. */
export type ExpressionChecker = (type: string, expression: string) => string | undefined;

export class ClientManageProcessor {
  constructor(
    private readonly ctx: BrokerContext,
    private readonly checkExpression: ExpressionChecker,
  ) {}

  heartBeat(request: RemotingCommand, conn: Connection): RemotingCommand {
    const data = decodeHeartbeatData(request.body);
    const channel = {
      connection: conn,
      clientId: data.clientID,
      language: request.language,
      version: request.version,
    };
    let topicsCreated = false;
    for (const consumer of data.consumerDataSet) {
      const group = this.ctx.subscriptionGroupManager.findSubscriptionGroupConfig(consumer.groupName);
      if (group && group.retryQueueNums > 0) {
        const before = this.ctx.topicConfigManager.select(`%RETRY%${consumer.groupName}`);
        this.ctx.topicConfigManager.createRetryTopic(consumer.groupName, group.retryQueueNums);
        topicsCreated ||= before === undefined;
      }
      this.ctx.consumerManager.registerConsumer(consumer, channel);
    }
    for (const producer of data.producerDataSet) {
      this.ctx.producerManager.registerProducer(producer.groupName, channel);
    }
    if (topicsCreated) this.ctx.registerBrokerAll();
    return createResponse(request, ResponseCode.SUCCESS);
  }

  unregisterClient(request: RemotingCommand): RemotingCommand {
    const clientId = requireString(request.extFields, "clientID");
    const producerGroup = optionalString(request.extFields, "producerGroup");
    const consumerGroup = optionalString(request.extFields, "consumerGroup");
    if (producerGroup) this.ctx.producerManager.unregisterProducer(producerGroup, clientId);
    if (consumerGroup) this.ctx.consumerManager.unregisterConsumer(consumerGroup, clientId);
    return createResponse(request, ResponseCode.SUCCESS);
  }

  checkClientConfig(request: RemotingCommand): RemotingCommand {
    const body = parseJsonBody(request.body, "CHECK_CLIENT_CONFIG");
    const sub = decodeSubscriptionData(jsonObject(body.subscriptionData));
    const type = sub.expressionType || "TAG";
    if (type === "TAG") return createResponse(request, ResponseCode.SUCCESS);
    if (!this.ctx.config.enablePropertyFilter) {
      return createResponse(
        request,
        ResponseCode.SYSTEM_ERROR,
        `The broker does not support consumer to filter message by ${type}`,
      );
    }
    // Apache answers with the parser's own error (what it encountered, at which line and column, what
    // it expected), nothing around it; the pull path prefixes its fixed "parse ... failed" sentence.
    const error = this.checkExpression(type, sub.subString);
    if (error !== undefined) return createResponse(request, ResponseCode.SUBSCRIPTION_PARSE_FAILED, error);
    return createResponse(request, ResponseCode.SUCCESS);
  }
}
