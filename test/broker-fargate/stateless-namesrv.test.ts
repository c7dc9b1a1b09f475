/**
 * STRATUS_ROLE=namesrv with STRATUS_METADATA_TABLE: the bundled container entry runs stateless NameServers over
 * DynamoDB (here moto's server on loopback, the project's AWS test endpoint). A broker registers with one of two
 * NameServers; the other answers its route, because both read the same table.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeClusterInfo } from "../../lib/protocol/cluster-info.js";
import { createRequest } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { uniqueResourceName } from "../ports/aws-endpoint.js";
import { findFreePorts } from "../support/ports.js";
import { fargateFixture } from "./fargate-fixture.js";

const READY_BROKER = /stratus ready: broker (\S+) \(/;

const f = fargateFixture("stratus-fargate-ddb-");

describe("stateless NameServers from the container entry", () => {
  it("share routes through the table: a broker registered with one is served by the other", async () => {
    // GIVEN two NameServers on the same table, and a broker that knows only the first
    const ns1 = await f.startNamesrv("namesrv-1");
    const ns2 = await f.startNamesrv("namesrv-2");
    const health = await fetch(`http://127.0.0.1:${ns2.health}/health`);
    expect(await health.json()).toMatchObject({
      state: "serving",
      detail: { routes: `dynamodb:${f.table}` },
    });
    const listenPort = await findFreePorts([0, -2]);
    const broker = f.spawn("broker", {
      STRATUS_ROLE: "broker",
      STRATUS_BIND_HOST: "127.0.0.1",
      STRATUS_HEALTH_PORT: "0",
      STRATUS_DRAIN_MS: "0",
      STRATUS_CONF_brokerClusterName: "shared",
      STRATUS_CONF_brokerName: "broker-s",
      STRATUS_CONF_brokerIP1: "127.0.0.1",
      STRATUS_CONF_listenPort: String(listenPort),
      STRATUS_CONF_namesrvAddr: ns1.addr,
      STRATUS_CONF_storePathRootDir: join(f.dir, "store"),
      STRATUS_CONF_mappedFileSizeCommitLog: String(1024 * 1024),
    });
    await broker.waitForLine(READY_BROKER, 60_000);
    // WHEN the second NameServer is asked
    const info = await f.client.invoke(ns2.addr, createRequest(RequestCode.GET_BROKER_CLUSTER_INFO), 5000);
    const route = await f.client.invoke(
      ns2.addr,
      createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "TBW102" }),
      5000,
    );
    // THEN it knows the broker and its routes
    expect([...decodeClusterInfo(info.body ?? Buffer.alloc(0)).brokerAddrTable.keys()]).toEqual(["broker-s"]);
    expect(route.code).toBe(ResponseCode.SUCCESS);
  }, 180_000);

  it("refuses to start, exit 2, when the table does not exist", async () => {
    const p = f.spawn("namesrv-missing", {
      ...f.awsEnv(),
      STRATUS_ROLE: "namesrv",
      STRATUS_BIND_HOST: "127.0.0.1",
      STRATUS_NAMESRV_PORT: "0",
      STRATUS_HEALTH_PORT: "0",
      STRATUS_METADATA_TABLE: uniqueResourceName("missing"),
    });
    const deadline = Date.now() + 60_000;
    while (p.exit === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(p.exit).toBe("code 2");
    expect(p.recentOutput()).toMatch(/does not exist|not found|ResourceNotFound/i);
  }, 90_000);
});
