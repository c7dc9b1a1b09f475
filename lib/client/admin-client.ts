/**
 * A small admin/query client, the read side of Apache's MQAdminImpl over one RemotingClient:
 * GET_ROUTEINFO_BY_TOPIC (105) from the NameServer, QUERY_MESSAGE (12) to every broker serving a topic,
 * VIEW_MESSAGE_BY_ID (33) to the broker an offset message id names (protocol §3.3, §7.1, §7.2, §8.5).
 *
 * Expected outcomes are return values: an unknown topic is `undefined`, nothing matching is an empty list,
 * a broker that failed is listed in `brokerErrors` beside the others' answers. A NameServer that cannot be
 * reached (every address of the ";"-separated list) is a StratusError (CONNECTION_CLOSED or TIMEOUT).
 */
import { isStratusError, StratusError } from "../common/errors.js";
import { DEFAULT_INVOKE_TIMEOUT_MS, MAX_QUERY_RESULTS } from "../common/limits.js";
import { UNIQUE_MSG_QUERY_FLAG } from "../protocol/header/query-message-headers.js";
import { decodeOffsetMessageId } from "../protocol/message-id.js";
import { MessageConst } from "../protocol/message-properties.js";
import { decodeMessageRecord, decodeMessageRecords, type MessageExt } from "../protocol/message-record.js";
import { encodeGetRouteInfoRequestHeader, toExtFields } from "../protocol/namesrv-headers.js";
import { createRequest, type RemotingCommand } from "../protocol/remoting-command.js";
import { RequestCode } from "../protocol/request-code.js";
import { ResponseCode } from "../protocol/response-code.js";
import { decodeTopicRouteData, MASTER_ID, type TopicRouteData } from "../protocol/route-data.js";
import { RemotingClient } from "../remoting/client.js";

/** Java Long.MAX_VALUE: "no upper bound" for endTimestamp. */
const NO_END_TIMESTAMP = "9223372036854775807";

export interface AdminClientOptions {
  /** One NameServer "host:port", or several separated by ";" (tried in order). */
  namesrvAddr: string;
  /** Per request, connecting included. */
  timeoutMs?: number;
  /** Share a RemotingClient; the AdminClient then leaves closing it to the caller. */
  remoting?: RemotingClient;
}

export interface BrokerError {
  brokerName: string;
  brokerAddr: string;
  message: string;
}

export interface QueriedMessage {
  brokerName: string;
  brokerAddr: string;
  message: MessageExt;
}

export interface QueryMessageOptions {
  /** Match UNIQ_KEY (the client msgId) instead of KEYS. */
  uniqueKey?: boolean;
  maxNum?: number;
  /** Store-time range; default everything. */
  beginMs?: number;
  endMs?: number;
}

export interface QueryMessageResult {
  /** False when the NameServer has no route for the topic (nothing was asked). */
  routed: boolean;
  messages: QueriedMessage[];
  brokerErrors: BrokerError[];
}

/** The address to ask a broker group through: its master, else the lowest broker id. */
export function brokerAddress(addrs: ReadonlyMap<number, string>): string | undefined {
  const master = addrs.get(MASTER_ID);
  if (master !== undefined) return master;
  const ids = [...addrs.keys()].sort((a, b) => a - b);
  return ids.length === 0 ? undefined : addrs.get(ids[0] ?? MASTER_ID);
}

/** The Java client's filter over a QUERY_MESSAGE answer (the index may return hash collisions). */
export function matchesQuery(m: MessageExt, topic: string, key: string, uniqueKey: boolean): boolean {
  if (m.topic !== topic) return false;
  if (uniqueKey) return m.msgId === key;
  const keys = m.properties.get(MessageConst.PROPERTY_KEYS) ?? "";
  return keys.split(MessageConst.KEY_SEPARATOR).includes(key);
}

export class AdminClient {
  private readonly namesrvAddrs: string[];
  private readonly timeoutMs: number;
  private readonly remoting: RemotingClient;
  private readonly ownsRemoting: boolean;

  constructor(options: AdminClientOptions) {
    this.namesrvAddrs = options.namesrvAddr
      .split(";")
      .map((a) => a.trim())
      .filter((a) => a !== "");
    if (this.namesrvAddrs.length === 0)
      throw new StratusError("ILLEGAL_ARGUMENT", "no NameServer address given");
    this.timeoutMs = options.timeoutMs ?? DEFAULT_INVOKE_TIMEOUT_MS;
    this.remoting = options.remoting ?? new RemotingClient();
    this.ownsRemoting = options.remoting === undefined;
  }

  /**
   * The topic's route, or undefined when the NameServer knows no such topic. Throws CONNECTION_CLOSED /
   * TIMEOUT when no NameServer answers, METADATA_UNAVAILABLE when they answer with an error.
   */
  async getRouteInfo(topic: string): Promise<TopicRouteData | undefined> {
    const failures: string[] = [];
    let lastError: StratusError | undefined;
    for (const addr of this.namesrvAddrs) {
      const header = encodeGetRouteInfoRequestHeader({ topic, acceptStandardJsonOnly: true });
      let response: RemotingCommand;
      try {
        response = await this.remoting.invoke(
          addr,
          createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, header),
          this.timeoutMs,
        );
      } catch (e) {
        if (!isStratusError(e)) throw e;
        lastError = e;
        failures.push(e.message);
        continue;
      }
      if (response.code === ResponseCode.TOPIC_NOT_EXIST) return undefined;
      if (response.code === ResponseCode.SUCCESS && response.body)
        return decodeTopicRouteData(response.body, `route of ${topic}`);
      lastError = new StratusError(
        "METADATA_UNAVAILABLE",
        `NameServer ${addr} answered code ${response.code}: ${response.remark ?? ""}`,
      );
      failures.push(lastError.message);
    }
    const code = lastError?.code ?? "CONNECTION_CLOSED";
    const what =
      code === "METADATA_UNAVAILABLE" ? "no NameServer gave the route" : "cannot reach the NameServer";
    throw new StratusError(code, `${what}: ${failures.join("; ")}`, { cause: lastError });
  }

  /**
   * QUERY_MESSAGE to every broker of the topic's route, in parallel, filtered the way the Java client
   * filters (topic equal; KEYS contains the key, or UNIQ_KEY equals it).
   */
  async queryMessage(
    topic: string,
    key: string,
    options: QueryMessageOptions = {},
  ): Promise<QueryMessageResult> {
    const route = await this.getRouteInfo(topic);
    if (route === undefined) return { routed: false, messages: [], brokerErrors: [] };
    const uniqueKey = options.uniqueKey ?? false;
    const extFields = toExtFields({
      topic,
      key,
      maxNum: Math.min(options.maxNum ?? MAX_QUERY_RESULTS, MAX_QUERY_RESULTS),
      beginTimestamp: options.beginMs ?? 0,
      endTimestamp: options.endMs,
      [UNIQUE_MSG_QUERY_FLAG]: uniqueKey,
    });
    extFields.endTimestamp ??= NO_END_TIMESTAMP;
    const messages: QueriedMessage[] = [];
    const brokerErrors: BrokerError[] = [];
    await Promise.all(
      route.brokerDatas.map(async (broker) => {
        const brokerAddr = brokerAddress(broker.brokerAddrs);
        const where = { brokerName: broker.brokerName, brokerAddr: brokerAddr ?? "" };
        if (brokerAddr === undefined) {
          brokerErrors.push({ ...where, message: "no broker address in the route" });
          return;
        }
        const found = await this.queryBroker(brokerAddr, extFields);
        if (typeof found === "string") brokerErrors.push({ ...where, message: found });
        else
          for (const message of found)
            if (matchesQuery(message, topic, key, uniqueKey)) messages.push({ ...where, message });
      }),
    );
    messages.sort((a, b) => a.message.storeTimestamp - b.message.storeTimestamp);
    return { routed: true, messages, brokerErrors };
  }

  /**
   * VIEW_MESSAGE_BY_ID at the broker and CommitLog offset the offset message id names. Undefined when the
   * id is not an offset id or the broker has no message there; connection failures throw.
   */
  async viewMessage(offsetMsgId: string): Promise<MessageExt | undefined> {
    const id = decodeOffsetMessageId(offsetMsgId);
    if (id === undefined) return undefined;
    const request = createRequest(RequestCode.VIEW_MESSAGE_BY_ID, toExtFields({ offset: id.offset }));
    const response = await this.remoting.invoke(id.address, request, this.timeoutMs);
    if (response.code !== ResponseCode.SUCCESS || !response.body) return undefined;
    return decodeMessageRecord(response.body, 0);
  }

  /** Closes the connections (unless the RemotingClient was passed in). */
  close(): void {
    if (this.ownsRemoting) this.remoting.close();
  }

  /** The broker's matching records, or why it could not answer. */
  private async queryBroker(
    brokerAddr: string,
    extFields: Record<string, string>,
  ): Promise<MessageExt[] | string> {
    const request = createRequest(RequestCode.QUERY_MESSAGE, extFields);
    try {
      const response = await this.remoting.invoke(brokerAddr, request, this.timeoutMs);
      if (response.code === ResponseCode.QUERY_NOT_FOUND) return [];
      if (response.code !== ResponseCode.SUCCESS)
        return `QUERY_MESSAGE answered code ${response.code}: ${response.remark ?? ""}`;
      return response.body ? decodeMessageRecords(response.body) : [];
    } catch (e) {
      if (!isStratusError(e)) throw e;
      return e.message;
    }
  }
}
