/**
 * KV config (PUT/GET/DELETE_KV_CONFIG 100-102, GET_KVLIST_BY_NAMESPACE 219) and the NameServer's own config
 * (UPDATE_NAMESRV_CONFIG 318, GET_NAMESRV_CONFIG 319), answered as Apache's DefaultRequestProcessor does.
 */
import { StratusError } from "../../common/errors.js";
import { parseProperties } from "../../common/properties.js";
import { encodeKVTable } from "../../protocol/cluster-info.js";
import {
  decodeKVConfigKeyHeader,
  decodeNamespaceHeader,
  decodePutKVConfigRequestHeader,
} from "../../protocol/namesrv-headers.js";
import type { RemotingCommand } from "../../protocol/remoting-command.js";
import { RequestCode } from "../../protocol/request-code.js";
import { ResponseCode } from "../../protocol/response-code.js";
import { applyNamesrvConfig, formatNamesrvConfig, NAMESRV_CONFIG_BLACK_LIST } from "../namesrv-config.js";
import { failure, type NamesrvContext, type NamesrvProcessor, success } from "./context.js";

async function putKVConfig(ctx: NamesrvContext, request: RemotingCommand) {
  const h = decodePutKVConfigRequestHeader(request.extFields);
  await ctx.kv.putKVConfig(h.namespace, h.key, h.value);
  return success(request);
}

async function getKVConfig(ctx: NamesrvContext, request: RemotingCommand) {
  const h = decodeKVConfigKeyHeader(request.extFields);
  const value = await ctx.kv.getKVConfig(h.namespace, h.key);
  if (value !== undefined) return success(request, { value });
  return failure(
    request,
    ResponseCode.QUERY_NOT_FOUND,
    `No config item, Namespace: ${h.namespace} Key: ${h.key}`,
  );
}

async function deleteKVConfig(ctx: NamesrvContext, request: RemotingCommand) {
  const h = decodeKVConfigKeyHeader(request.extFields);
  await ctx.kv.deleteKVConfig(h.namespace, h.key);
  return success(request);
}

async function getKVListByNamespace(ctx: NamesrvContext, request: RemotingCommand) {
  const { namespace } = decodeNamespaceHeader(request.extFields);
  const table = await ctx.kv.getKVListByNamespace(namespace);
  if (table !== undefined) return success(request, {}, encodeKVTable({ table }));
  return failure(request, ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${namespace}`);
}

async function updateNamesrvConfig(ctx: NamesrvContext, request: RemotingCommand) {
  const entries = parseProperties((request.body ?? Buffer.alloc(0)).toString("utf8"));
  if ([...entries.keys()].some((k) => NAMESRV_CONFIG_BLACK_LIST.has(k))) {
    return failure(request, ResponseCode.NO_PERMISSION, "Can not update config in black list.");
  }
  try {
    ctx.config.current = applyNamesrvConfig("UPDATE_NAMESRV_CONFIG", entries, ctx.config.current).config;
  } catch (e) {
    if (e instanceof StratusError) return failure(request, ResponseCode.SYSTEM_ERROR, e.message);
    throw e;
  }
  return success(request);
}

async function getNamesrvConfig(ctx: NamesrvContext, request: RemotingCommand) {
  return success(request, {}, Buffer.from(formatNamesrvConfig(ctx.config.current), "utf8"));
}

export function adminProcessors(ctx: NamesrvContext): Array<[number, NamesrvProcessor]> {
  return [
    [RequestCode.PUT_KV_CONFIG, (request) => putKVConfig(ctx, request)],
    [RequestCode.GET_KV_CONFIG, (request) => getKVConfig(ctx, request)],
    [RequestCode.DELETE_KV_CONFIG, (request) => deleteKVConfig(ctx, request)],
    [RequestCode.GET_KVLIST_BY_NAMESPACE, (request) => getKVListByNamespace(ctx, request)],
    [RequestCode.UPDATE_NAMESRV_CONFIG, (request) => updateNamesrvConfig(ctx, request)],
    [RequestCode.GET_NAMESRV_CONFIG, (request) => getNamesrvConfig(ctx, request)],
  ];
}
