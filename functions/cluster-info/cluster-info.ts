/**
 * The cluster-info admin API: what `mqadmin clusterList` and `mqadmin topicRoute` show, as JSON over HTTP, asked of
 * a NameServer over RocketMQ's own protocol (GET_BROKER_CLUSTER_INFO, GET_ROUTEINFO_BY_TOPIC).
 *
 *   GET /cluster          {"clusters":{"<cluster>":["broker-a",...]},"brokers":{"broker-a":{"cluster":...,"addrs":{"0":"ip:port"}}}}
 *   GET /route/<topic>    {"topic":...,"queues":[{"brokerName","readQueueNums","writeQueueNums","perm"}],"brokers":{...}}
 *
 * Answers 404 for an unknown topic or path, 405 for other methods, 502 when the NameServer cannot be reached or
 * answers with an error. The request shape is a Lambda function URL / API Gateway HTTP API (payload 2.0) event.
 */
import { StratusError } from "../../lib/common/errors.js";
import { decodeClusterInfo } from "../../lib/protocol/cluster-info.js";
import { createRequest, type RemotingCommand } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { type BrokerData, decodeTopicRouteData } from "../../lib/protocol/route-data.js";
import type { RemotingClient } from "../../lib/remoting/client.js";

export interface HttpEvent {
  readonly rawPath?: string;
  readonly requestContext?: { readonly http?: { readonly method?: string } };
}

export interface HttpResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** How long one NameServer request may take; the function's own timeout is longer. */
export const NAMESRV_TIMEOUT_MS = 3000;
/** RocketMQ topic names: at most 127 characters of [%|a-zA-Z0-9_-]. */
const TOPIC = /^[%|a-zA-Z0-9_-]{1,127}$/;

function json(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

function brokerJson(b: BrokerData) {
  return {
    cluster: b.cluster,
    addrs: Object.fromEntries([...b.brokerAddrs].map(([id, a]) => [String(id), a])),
  };
}

async function ask(client: RemotingClient, addr: string, request: RemotingCommand): Promise<RemotingCommand> {
  return client.invoke(addr, request, NAMESRV_TIMEOUT_MS);
}

async function clusterInfo(client: RemotingClient, addr: string): Promise<HttpResult> {
  const res = await ask(client, addr, createRequest(RequestCode.GET_BROKER_CLUSTER_INFO));
  if (res.code !== ResponseCode.SUCCESS)
    return json(502, { error: `NameServer answered ${res.code}: ${res.remark ?? ""}` });
  const info = decodeClusterInfo(res.body ?? Buffer.from("{}"));
  return json(200, {
    clusters: Object.fromEntries([...info.clusterAddrTable].map(([c, names]) => [c, [...names].sort()])),
    brokers: Object.fromEntries([...info.brokerAddrTable].map(([name, b]) => [name, brokerJson(b)])),
  });
}

async function topicRoute(client: RemotingClient, addr: string, topic: string): Promise<HttpResult> {
  if (!TOPIC.test(topic)) return json(404, { error: `'${topic}' is not a topic name` });
  const res = await ask(client, addr, createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }));
  if (res.code === ResponseCode.TOPIC_NOT_EXIST) return json(404, { error: `no route for topic ${topic}` });
  if (res.code !== ResponseCode.SUCCESS)
    return json(502, { error: `NameServer answered ${res.code}: ${res.remark ?? ""}` });
  const route = decodeTopicRouteData(res.body ?? Buffer.alloc(0));
  return json(200, {
    topic,
    queues: route.queueDatas.map((q) => ({
      brokerName: q.brokerName,
      readQueueNums: q.readQueueNums,
      writeQueueNums: q.writeQueueNums,
      perm: q.perm,
    })),
    brokers: Object.fromEntries(route.brokerDatas.map((b) => [b.brokerName, brokerJson(b)])),
  });
}

export function createClusterInfoHandler(options: { namesrvAddr: string; client: RemotingClient }) {
  return async (event: HttpEvent): Promise<HttpResult> => {
    const method = event.requestContext?.http?.method ?? "GET";
    const path = event.rawPath ?? "/";
    if (method !== "GET") return json(405, { error: "only GET" });
    try {
      if (path === "/cluster" || path === "/") return await clusterInfo(options.client, options.namesrvAddr);
      const m = /^\/route\/([^/]+)$/.exec(path);
      if (m?.[1] !== undefined)
        return await topicRoute(options.client, options.namesrvAddr, decodeURIComponent(m[1]));
      return json(404, { error: `no such path ${path} (try /cluster or /route/<topic>)` });
    } catch (e) {
      if (e instanceof StratusError)
        return json(502, { error: `NameServer ${options.namesrvAddr}: ${e.message}` });
      throw e;
    }
  };
}
