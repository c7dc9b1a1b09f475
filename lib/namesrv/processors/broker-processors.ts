/**
 * The broker-facing NameServer commands: REGISTER_BROKER (103), UNREGISTER_BROKER (104),
 * QUERY_DATA_VERSION (322) and BROKER_HEARTBEAT (904), answered as Apache's DefaultRequestProcessor does.
 */

import { encodeKVTable } from "../../protocol/cluster-info.js";
import { decodeDataVersion, EMPTY_DATA_VERSION, encodeDataVersion } from "../../protocol/data-version.js";
import {
  decodeBrokerHeartbeatRequestHeader,
  decodeBrokerIdentityHeader,
} from "../../protocol/namesrv-headers.js";
import {
  decodeRegisterBrokerBody,
  decodeRegisterBrokerRequestHeader,
  decodeTopicConfigSerializeWrapper,
  encodeRegisterBrokerResponseHeader,
  REGISTER_BROKER_BODY_MIN_VERSION,
  type RegisterBrokerBody,
  type RegisterBrokerRequestHeader,
  registerBrokerBodyCrc32,
} from "../../protocol/register-broker-body.js";
import type { RemotingCommand } from "../../protocol/remoting-command.js";
import { RequestCode } from "../../protocol/request-code.js";
import { ResponseCode } from "../../protocol/response-code.js";
import { NAMESPACE_ORDER_TOPIC_CONFIG } from "../kv-config-manager.js";
import type { BrokerChannel } from "../route-info-manager.js";
import { failure, type NamesrvContext, type NamesrvProcessor, success } from "./context.js";

/** 5.x brokers put their zone here (extFields key, not a header field). */
export const ZONE_NAME_EXT_FIELD = "__ZONE_NAME";

function registerBody(request: RemotingCommand, header: RegisterBrokerRequestHeader): RegisterBrokerBody {
  const body = request.body;
  if (body === undefined || body.length === 0) {
    return {
      topicConfigSerializeWrapper: { dataVersion: { ...EMPTY_DATA_VERSION }, topicConfigTable: new Map() },
      filterServerList: [],
    };
  }
  if (request.version >= REGISTER_BROKER_BODY_MIN_VERSION)
    return decodeRegisterBrokerBody(body, header.compressed);
  return { topicConfigSerializeWrapper: decodeTopicConfigSerializeWrapper(body), filterServerList: [] };
}

async function registerBroker(ctx: NamesrvContext, request: RemotingCommand, channel: BrokerChannel) {
  const header = decodeRegisterBrokerRequestHeader(request.extFields);
  if (
    header.bodyCrc32 !== 0 &&
    registerBrokerBodyCrc32(request.body ?? Buffer.alloc(0)) !== header.bodyCrc32
  ) {
    return failure(request, ResponseCode.SYSTEM_ERROR, "crc32 not match");
  }
  const body = registerBody(request, header);
  const result = await ctx.routes.registerBroker({
    clusterName: header.clusterName,
    brokerAddr: header.brokerAddr,
    brokerName: header.brokerName,
    brokerId: header.brokerId,
    haServerAddr: header.haServerAddr,
    zoneName: request.extFields[ZONE_NAME_EXT_FIELD],
    heartbeatTimeoutMillis: header.heartbeatTimeoutMillis,
    enableActingMaster: header.enableActingMaster,
    topicConfigWrapper: body.topicConfigSerializeWrapper,
    filterServerList: body.filterServerList,
    channel,
  });
  if (result === undefined) return failure(request, ResponseCode.SYSTEM_ERROR, "register broker failed");
  let responseBody: Buffer | undefined;
  if (ctx.config.current.returnOrderTopicConfigToBroker) {
    const table = await ctx.kv.getKVListByNamespace(NAMESPACE_ORDER_TOPIC_CONFIG);
    if (table !== undefined) responseBody = encodeKVTable({ table });
  }
  return success(request, encodeRegisterBrokerResponseHeader(result), responseBody);
}

async function unregisterBroker(ctx: NamesrvContext, request: RemotingCommand) {
  await ctx.routes.unregisterBroker(decodeBrokerIdentityHeader(request.extFields));
  return success(request);
}

async function queryDataVersion(ctx: NamesrvContext, request: RemotingCommand) {
  const header = decodeBrokerIdentityHeader(request.extFields);
  const dataVersion = decodeDataVersion(request.body ?? Buffer.alloc(0));
  const changed = await ctx.routes.isBrokerTopicConfigChanged(
    header.clusterName,
    header.brokerAddr,
    dataVersion,
  );
  if (!changed) await ctx.routes.updateBrokerInfoUpdateTimestamp(header.clusterName, header.brokerAddr);
  const current = await ctx.routes.queryBrokerTopicConfig(header.clusterName, header.brokerAddr);
  return success(
    request,
    { changed: String(changed) },
    current === undefined ? undefined : encodeDataVersion(current),
  );
}

async function brokerHeartbeat(ctx: NamesrvContext, request: RemotingCommand) {
  const header = decodeBrokerHeartbeatRequestHeader(request.extFields);
  await ctx.routes.updateBrokerInfoUpdateTimestamp(header.clusterName, header.brokerAddr);
  return success(request);
}

export function brokerProcessors(ctx: NamesrvContext): Array<[number, NamesrvProcessor]> {
  return [
    [RequestCode.REGISTER_BROKER, (request, channel) => registerBroker(ctx, request, channel)],
    [RequestCode.UNREGISTER_BROKER, (request) => unregisterBroker(ctx, request)],
    [RequestCode.QUERY_DATA_VERSION, (request) => queryDataVersion(ctx, request)],
    [RequestCode.BROKER_HEARTBEAT, (request) => brokerHeartbeat(ctx, request)],
  ];
}
