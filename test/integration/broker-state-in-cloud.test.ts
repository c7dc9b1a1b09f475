/**
 * A broker's state in the MetadataStore, judged over the wire against `stratus dev --cloud ...` processes
 * (embedded SQLite, and DynamoDB on moto): topics, permissions, subscription groups and consumer offsets
 * survive a restart, a replacement broker with an empty disk (D/broker deleted: the lost-disk case of
 * ADR 0003), and a SIGKILL once the offset flush interval has passed.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSubscriptionGroupConfig } from "../../lib/broker/subscription-group-manager.js";
import { AdminClient } from "../../lib/client/admin-client.js";
import {
  decodeSubscriptionGroupWrapper,
  decodeTopicConfigSerializeWrapper,
  encodeSubscriptionGroupConfig,
} from "../../lib/protocol/body/admin-bodies.js";
import { createRequest } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import {
  AWS_ENDPOINT_SETUP_TIMEOUT_MS,
  type AwsTestEndpoint,
  startAwsTestEndpoint,
} from "../ports/aws-endpoint.js";
import {
  awsCloud,
  embeddedCloud,
  eventually,
  type StratusProcess,
  startDev,
  type TestCloud,
} from "./cloud-cluster.js";
import { createTopicRequest, sendV2 } from "./raw-client.js";

const TEST_MS = 180_000;
const FLUSH_INTERVAL_MS = 500;
const GROUP = {
  ...defaultSubscriptionGroupConfig("GroupA"),
  retryMaxTimes: 3,
  consumeBroadcastEnable: false,
};

function portOf(addr: string | undefined): number {
  return Number(addr?.slice(addr.lastIndexOf(":") + 1));
}

describe.each(["embedded", "aws"] as const)("broker state on the %s cloud", (kind) => {
  let endpoint: AwsTestEndpoint | undefined;
  let cloud: TestCloud | undefined;
  let dev: StratusProcess | undefined;
  const client = new RemotingClient();

  beforeAll(async () => {
    if (kind === "aws") endpoint = await startAwsTestEndpoint();
  }, AWS_ENDPOINT_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    client.close();
    await dev?.stop();
    cloud?.remove();
    await endpoint?.stop();
  }, 60_000);

  async function restart(options: { wipeDisk?: boolean; kill?: boolean } = {}): Promise<StratusProcess> {
    if (!cloud || !dev) throw new Error("not started");
    const ports = { namesrvPort: portOf(dev.addr), brokerPort: portOf(dev.brokerAddr) };
    if (options.kill) await dev.kill();
    else await dev.stop();
    if (options.wipeDisk) rmSync(join(cloud.dataDir, "broker"), { recursive: true, force: true });
    dev = await startDev(cloud, { ...ports, conf: `flushConsumerOffsetInterval=${FLUSH_INTERVAL_MS}\n` });
    return dev;
  }

  async function offset(broker: string, topic: string, queueId: number): Promise<string | undefined> {
    const r = await client.invoke(
      broker,
      createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
        consumerGroup: "GroupA",
        topic,
        queueId: String(queueId),
      }),
    );
    return r.code === ResponseCode.SUCCESS ? r.extFields.offset : `code ${r.code}`;
  }

  async function commit(broker: string, topic: string, queueId: number, commitOffset: number): Promise<void> {
    const r = await client.invoke(
      broker,
      createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, {
        consumerGroup: "GroupA",
        topic,
        queueId: String(queueId),
        commitOffset: String(commitOffset),
      }),
    );
    expect(r.code).toBe(ResponseCode.SUCCESS);
  }

  /** What a client sees of the state: topic configs and perms, the group, offsets, the route's perms. */
  async function expectState(p: StratusProcess, offsets: Record<number, string>): Promise<void> {
    const broker = p.brokerAddr ?? "";
    const topics = decodeTopicConfigSerializeWrapper(
      (await client.invoke(broker, createRequest(RequestCode.GET_ALL_TOPIC_CONFIG, {}))).body ??
        Buffer.alloc(0),
    ).topicConfigTable;
    expect(topics.find((t) => t.topicName === "Orders")).toMatchObject({ readQueueNums: 4, perm: 6 });
    expect(topics.find((t) => t.topicName === "ReadOnly")).toMatchObject({ readQueueNums: 2, perm: 4 });
    const groups = decodeSubscriptionGroupWrapper(
      (await client.invoke(broker, createRequest(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, {}))).body ??
        Buffer.alloc(0),
    ).subscriptionGroupTable;
    expect(groups.find((g) => g.groupName === "GroupA")).toEqual(GROUP);
    for (const [queueId, expected] of Object.entries(offsets)) {
      expect(await offset(broker, "Orders", Number(queueId))).toBe(expected);
    }
    const admin = new AdminClient({ namesrvAddr: p.addr, remoting: client, timeoutMs: 3000 });
    const route = await eventually("the ReadOnly route", () => admin.getRouteInfo("ReadOnly"));
    expect(route.queueDatas[0]?.perm).toBe(4);
  }

  it(
    "serves the same topics, permissions, groups and offsets after a restart and from a broker with an empty disk",
    async () => {
      cloud = kind === "aws" && endpoint ? await awsCloud(endpoint) : embeddedCloud();
      dev = await startDev(cloud, { conf: `flushConsumerOffsetInterval=${FLUSH_INTERVAL_MS}\n` });
      const broker = dev.brokerAddr ?? "";
      expect((await client.invoke(broker, createTopicRequest("Orders", 6, 4))).code).toBe(
        ResponseCode.SUCCESS,
      );
      expect((await client.invoke(broker, createTopicRequest("ReadOnly", 4, 2))).code).toBe(
        ResponseCode.SUCCESS,
      );
      const created = await client.invoke(
        broker,
        createRequest(
          RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
          {},
          encodeSubscriptionGroupConfig(GROUP),
        ),
      );
      expect(created.code).toBe(ResponseCode.SUCCESS);
      for (let i = 0; i < 5; i++) {
        expect((await sendV2(client, broker, "Orders", 1, Buffer.from(`m${i}`))).code).toBe(
          ResponseCode.SUCCESS,
        );
      }
      await commit(broker, "Orders", 1, 3);
      await commit(broker, "Orders", 2, 7);

      await expectState(await restart(), { 1: "3", 2: "7" });
      await expectState(await restart({ wipeDisk: true }), { 1: "3", 2: "7" });

      await commit(dev.brokerAddr ?? "", "Orders", 3, 11);
      await new Promise((r) => setTimeout(r, FLUSH_INTERVAL_MS * 4));
      await expectState(await restart({ wipeDisk: true, kill: true }), { 1: "3", 2: "7", 3: "11" });
    },
    TEST_MS,
  );
});
