/**
 * What every NameServer processor works with. Processors are plain functions over RemotingCommand, so they
 * are unit-tested without sockets; namesrv.ts registers them with the remoting dispatcher.
 */
import type { Clock } from "../../common/clock.js";
import { createResponse, type RemotingCommand } from "../../protocol/remoting-command.js";
import { ResponseCode } from "../../protocol/response-code.js";
import type { KVConfigManager } from "../kv-config-manager.js";
import type { NamesrvConfig } from "../namesrv-config.js";
import type { BrokerChannel, RouteInfoManager } from "../route-info-manager.js";

export interface NamesrvContext {
  readonly routes: RouteInfoManager;
  readonly kv: KVConfigManager;
  /** The live config; UPDATE_NAMESRV_CONFIG replaces `current`. */
  readonly config: { current: Readonly<NamesrvConfig> };
  readonly clock: Clock;
  /** Clock.monotonicMs() when the NameServer started (for needWaitForService). */
  readonly startedAtMs: number;
}

export type NamesrvProcessor = (request: RemotingCommand, channel: BrokerChannel) => Promise<RemotingCommand>;

export function success(request: RemotingCommand, extFields: Record<string, string> = {}, body?: Buffer) {
  return createResponse(request, ResponseCode.SUCCESS, undefined, extFields, body);
}

export function failure(request: RemotingCommand, code: number, remark: string): RemotingCommand {
  return createResponse(request, code, remark);
}
