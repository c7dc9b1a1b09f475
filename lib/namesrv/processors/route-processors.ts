/**
 * The client- and admin-facing route commands: GET_ROUTEINFO_BY_TOPIC (105), GET_BROKER_CLUSTER_INFO (106),
 * the topic lists (206, 224, 304, 311-313), DELETE_TOPIC_IN_NAMESRV (216), REGISTER_TOPIC_IN_NAMESRV (217)
 * and WIPE/ADD_WRITE_PERM_OF_BROKER (205, 327), answered as Apache's processors do.
 */
import { encodeClusterInfo, encodeTopicList, type TopicList } from "../../protocol/cluster-info.js";
import {
  decodeBrokerNameHeader,
  decodeDeleteTopicFromNamesrvRequestHeader,
  decodeGetRouteInfoRequestHeader,
  decodeGetTopicsByClusterRequestHeader,
  decodeRegisterTopicRequestHeader,
} from "../../protocol/namesrv-headers.js";
import type { RemotingCommand } from "../../protocol/remoting-command.js";
import { RequestCode } from "../../protocol/request-code.js";
import { ResponseCode } from "../../protocol/response-code.js";
import { decodeTopicRouteData, encodeTopicRouteData, routeJsonStyle } from "../../protocol/route-data.js";
import { NAMESPACE_ORDER_TOPIC_CONFIG } from "../kv-config-manager.js";
import type { UnitTopicFilter } from "../route-info-manager.js";
import { failure, type NamesrvContext, type NamesrvProcessor, success } from "./context.js";

/** Apache FAQUrl.suggestTodo(APPLY_TOPIC_URL), appended to TOPIC_NOT_EXIST remarks. */
export const APPLY_TOPIC_FAQ =
  "\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details.";

function serviceReady(ctx: NamesrvContext): boolean {
  const c = ctx.config.current;
  return !c.needWaitForService || ctx.clock.monotonicMs() - ctx.startedAtMs >= c.waitSecondsForService * 1000;
}

async function getRouteInfoByTopic(ctx: NamesrvContext, request: RemotingCommand) {
  const header = decodeGetRouteInfoRequestHeader(request.extFields);
  if (!serviceReady(ctx)) return failure(request, ResponseCode.SYSTEM_ERROR, "name server not ready");
  const route = await ctx.routes.pickupTopicRouteData(header.topic);
  if (route === undefined) {
    const remark = `No topic route info in name server for the topic: ${header.topic}${APPLY_TOPIC_FAQ}`;
    return failure(request, ResponseCode.TOPIC_NOT_EXIST, remark);
  }
  if (ctx.config.current.orderMessageEnable) {
    route.orderTopicConf = await ctx.kv.getKVConfig(NAMESPACE_ORDER_TOPIC_CONFIG, header.topic);
  }
  const style = routeJsonStyle(request.version, header.acceptStandardJsonOnly);
  return success(request, {}, encodeTopicRouteData(route, style));
}

async function getBrokerClusterInfo(ctx: NamesrvContext, request: RemotingCommand) {
  return success(request, {}, encodeClusterInfo(await ctx.routes.getAllClusterInfo()));
}

function topicList(request: RemotingCommand, enabled: boolean, list: () => Promise<TopicList>) {
  if (!enabled) return Promise.resolve(failure(request, ResponseCode.SYSTEM_ERROR, "disable"));
  return list().then((l) => success(request, {}, encodeTopicList(l)));
}

function unitTopicProcessor(ctx: NamesrvContext, filter: UnitTopicFilter): NamesrvProcessor {
  return (request) =>
    topicList(request, ctx.config.current.enableTopicList, async () => ({
      topicList: await ctx.routes.getUnitTopicList(filter),
    }));
}

async function deleteTopicInNamesrv(ctx: NamesrvContext, request: RemotingCommand) {
  const header = decodeDeleteTopicFromNamesrvRequestHeader(request.extFields);
  await ctx.routes.deleteTopic(header.topic, header.clusterName);
  return success(request);
}

async function registerTopicInNamesrv(ctx: NamesrvContext, request: RemotingCommand) {
  const header = decodeRegisterTopicRequestHeader(request.extFields);
  if (request.body !== undefined && request.body.length > 0) {
    await ctx.routes.registerTopic(header.topic, decodeTopicRouteData(request.body).queueDatas);
  }
  return success(request);
}

async function wipeWritePerm(ctx: NamesrvContext, request: RemotingCommand) {
  const count = await ctx.routes.wipeWritePermOfBroker(decodeBrokerNameHeader(request.extFields).brokerName);
  return success(request, { wipeTopicCount: String(count) });
}

async function addWritePerm(ctx: NamesrvContext, request: RemotingCommand) {
  const count = await ctx.routes.addWritePermOfBroker(decodeBrokerNameHeader(request.extFields).brokerName);
  return success(request, { addTopicCount: String(count) });
}

export function routeProcessors(ctx: NamesrvContext): Array<[number, NamesrvProcessor]> {
  const config = () => ctx.config.current;
  return [
    [RequestCode.GET_ROUTEINFO_BY_TOPIC, (request) => getRouteInfoByTopic(ctx, request)],
    [RequestCode.GET_BROKER_CLUSTER_INFO, (request) => getBrokerClusterInfo(ctx, request)],
    [
      RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER,
      (request) =>
        topicList(request, config().enableAllTopicList, async () => ({
          topicList: await ctx.routes.getAllTopicList(),
        })),
    ],
    [
      RequestCode.GET_TOPICS_BY_CLUSTER,
      (request) => {
        const { cluster } = decodeGetTopicsByClusterRequestHeader(request.extFields);
        return topicList(request, config().enableTopicList, async () => ({
          topicList: await ctx.routes.getTopicsByCluster(cluster),
        }));
      },
    ],
    [
      RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS,
      (request) => topicList(request, true, () => ctx.routes.getSystemTopicList()),
    ],
    [RequestCode.GET_UNIT_TOPIC_LIST, unitTopicProcessor(ctx, "UNIT")],
    [RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST, unitTopicProcessor(ctx, "UNIT_SUB")],
    [RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST, unitTopicProcessor(ctx, "UNIT_SUB_UNUNIT")],
    [RequestCode.DELETE_TOPIC_IN_NAMESRV, (request) => deleteTopicInNamesrv(ctx, request)],
    [RequestCode.REGISTER_TOPIC_IN_NAMESRV, (request) => registerTopicInNamesrv(ctx, request)],
    [RequestCode.WIPE_WRITE_PERM_OF_BROKER, (request) => wipeWritePerm(ctx, request)],
    [RequestCode.ADD_WRITE_PERM_OF_BROKER, (request) => addWritePerm(ctx, request)],
  ];
}
