/** Protocol-level helpers for integration tests: SEND_MESSAGE_V2, PULL_MESSAGE and friends over RemotingClient. */
import { encodeProperties, MessageConst } from "../../lib/protocol/message-properties.js";
import { decodeMessageRecords, type MessageExt } from "../../lib/protocol/message-record.js";
import { createRequest, type RemotingCommand } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import type { RemotingClient } from "../../lib/remoting/client.js";
import type { RequestHandler } from "../../lib/remoting/connection.js";

export async function sendV2(
  client: RemotingClient,
  brokerAddr: string,
  topic: string,
  queueId: number,
  body: Buffer,
  props: Record<string, string> = {},
  timeoutMs = 5000,
): Promise<RemotingCommand> {
  const properties = encodeProperties(
    new Map([[MessageConst.PROPERTY_WAIT_STORE_MSG_OK, "true"], ...Object.entries(props)]),
  );
  const ext = {
    a: "it-producer",
    b: topic,
    c: "TBW102",
    d: "4",
    e: String(queueId),
    f: "0",
    g: String(Date.now()),
    h: "0",
    i: properties,
    j: "0",
    k: "false",
    m: "false",
  };
  return client.invoke(brokerAddr, createRequest(RequestCode.SEND_MESSAGE_V2, ext, body), timeoutMs);
}

export async function pull(
  client: RemotingClient,
  brokerAddr: string,
  group: string,
  topic: string,
  queueId: number,
  queueOffset: number,
  maxMsgNums = 32,
): Promise<{ response: RemotingCommand; messages: MessageExt[] }> {
  const ext = {
    consumerGroup: group,
    topic,
    queueId: String(queueId),
    queueOffset: String(queueOffset),
    maxMsgNums: String(maxMsgNums),
    sysFlag: "4",
    commitOffset: "0",
    suspendTimeoutMillis: "0",
    subscription: "*",
    subVersion: "0",
    expressionType: "TAG",
  };
  const response = await client.invoke(brokerAddr, createRequest(RequestCode.PULL_MESSAGE, ext), 10_000);
  const messages = response.code === 0 && response.body ? decodeMessageRecords(response.body) : [];
  return { response, messages };
}

/** Every message of a queue from offset 0. */
export async function pullAll(
  client: RemotingClient,
  brokerAddr: string,
  topic: string,
  queueId: number,
): Promise<MessageExt[]> {
  const out: MessageExt[] = [];
  let offset = 0;
  for (;;) {
    const { response, messages } = await pull(client, brokerAddr, "it-reader", topic, queueId, offset, 256);
    if (response.code !== 0) return out;
    out.push(...messages);
    offset = Number(response.extFields.nextBeginOffset);
  }
}

/** UPDATE_AND_CREATE_TOPIC as mqadmin updateTopic sends it: `queues` read and write queues, `perm` (6 = read-write). */
export function createTopicRequest(topic: string, perm = 6, queues = 4): RemotingCommand {
  return createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
    topic,
    defaultTopic: "TBW102",
    readQueueNums: String(queues),
    writeQueueNums: String(queues),
    perm: String(perm),
    topicFilterType: "SINGLE_TAG",
    topicSysFlag: "0",
    order: "false",
  });
}

/** HEART_BEAT from one consumer client (`clientId`) of `group`, push-style (CLUSTERING), subscribed to `topic`. */
export function consumerHeartbeatRequest(
  clientId: string,
  group: string,
  topic: string,
  expression = "*",
  subVersion = Date.now(),
): RemotingCommand {
  const heartbeat = {
    clientID: clientId,
    consumerDataSet: [
      {
        groupName: group,
        consumeType: "CONSUME_PASSIVELY",
        messageModel: "CLUSTERING",
        consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
        unitMode: false,
        subscriptionDataSet: [
          {
            classFilterMode: false,
            codeSet: [],
            expressionType: "TAG",
            subString: expression,
            subVersion,
            tagsSet: expression === "*" ? [] : expression.split("||").map((t) => t.trim()),
            topic,
          },
        ],
      },
    ],
    producerDataSet: [],
  };
  return createRequest(RequestCode.HEART_BEAT, {}, Buffer.from(JSON.stringify(heartbeat)));
}

/** UNREGISTER_CLIENT as a consumer sends it at shutdown (once per group). */
export function unregisterConsumerRequest(clientId: string, group: string): RemotingCommand {
  return createRequest(RequestCode.UNREGISTER_CLIENT, { clientID: clientId, consumerGroup: group });
}

/**
 * Records the requests a server sends over a client's connections (NOTIFY_CONSUMER_IDS_CHANGED, ...): pass
 * `handler` to `new RemotingClient({ handler })`. Nothing is answered (they are oneway).
 */
export class ServerRequests {
  readonly received: RemotingCommand[] = [];
  private waiters: Array<() => void> = [];

  readonly handler: RequestHandler = (request) => {
    this.received.push(request);
    for (const wake of this.waiters.splice(0)) wake();
    return undefined;
  };

  /** How many requests with `code` arrived so far. */
  count(code: number): number {
    return this.received.filter((r) => r.code === code).length;
  }

  /** The request with `code` after the first `seen` of them; rejects if it does not come within `timeoutMs`. */
  async next(code: number, seen: number, timeoutMs = 5000): Promise<RemotingCommand> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.filter((r) => r.code === code)[seen];
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no request ${code} #${seen + 1} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
