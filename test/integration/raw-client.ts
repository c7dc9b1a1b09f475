/** Protocol-level helpers for integration tests: SEND_MESSAGE_V2, PULL_MESSAGE and friends over RemotingClient. */
import { encodeProperties, MessageConst } from "../../lib/protocol/message-properties.js";
import { decodeMessageRecords, type MessageExt } from "../../lib/protocol/message-record.js";
import { createRequest, type RemotingCommand } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import type { RemotingClient } from "../../lib/remoting/client.js";

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
