/**
 * STRATUS_ROLE=namesrv with STRATUS_METADATA_TABLE: the bundled container entry runs stateless NameServers over
 * DynamoDB (here moto's server on loopback, the project's AWS test endpoint). A broker registers with one of two
 * NameServers; the other answers its route, because both read the same table.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleFargateEntry } from "../../broker-fargate/bundle.js";
import { createDynamoDbClient } from "../../lib/ports/aws/aws-clients.js";
import { tableDefinitions } from "../../lib/ports/aws/definitions.js";
import { ensureTable } from "../../lib/ports/aws/provision.js";
import { decodeClusterInfo } from "../../lib/protocol/cluster-info.js";
import { createRequest } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import {
  AWS_ENDPOINT_SETUP_TIMEOUT_MS,
  type AwsTestEndpoint,
  startAwsTestEndpoint,
  uniqueResourceName,
} from "../ports/aws-endpoint.js";
import { ManagedProcess } from "../support/managed-process.js";
import { findFreePorts } from "../support/ports.js";

const READY_NAMESRV = /stratus ready: namesrv (\S+) health :(\d+)/;
const READY_BROKER = /stratus ready: broker (\S+) \(/;

let dir: string;
let bundle: string;
let aws: AwsTestEndpoint;
let table: string;
const client = new RemotingClient();
const started: ManagedProcess[] = [];

function awsEnv(): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_REGION: aws.clientOptions.region ?? "us-east-1",
    AWS_ACCESS_KEY_ID: aws.clientOptions.credentials?.accessKeyId ?? "testing",
    AWS_SECRET_ACCESS_KEY: aws.clientOptions.credentials?.secretAccessKey ?? "testing",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

function spawnBundle(name: string, env: Record<string, string>): ManagedProcess {
  const p = new ManagedProcess({
    name,
    command: process.execPath,
    args: [bundle],
    env: { PATH: process.env.PATH ?? "", HOME: dir, ...env },
    logFile: join(dir, `${name}.log`),
  });
  started.push(p);
  return p;
}

async function startNamesrv(name: string, tableName: string): Promise<{ addr: string; health: number }> {
  const p = spawnBundle(name, {
    ...awsEnv(),
    STRATUS_ROLE: "namesrv",
    STRATUS_BIND_HOST: "127.0.0.1",
    STRATUS_NAMESRV_PORT: "0",
    STRATUS_HEALTH_PORT: "0",
    STRATUS_METADATA_TABLE: tableName,
  });
  const m = await p.waitForLine(READY_NAMESRV, 60_000);
  return { addr: m[1] ?? "", health: Number(m[2]) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "stratus-fargate-ddb-"));
  aws = await startAwsTestEndpoint();
  table = uniqueResourceName("ns");
  const [def] = tableDefinitions({ metadataTableName: table });
  if (def === undefined) throw new Error("no table definition");
  await ensureTable(createDynamoDbClient(aws.clientOptions), def);
  bundle = (await bundleFargateEntry(join(dir, "stratus-fargate.mjs"))).outfile;
}, AWS_ENDPOINT_SETUP_TIMEOUT_MS);

afterAll(async () => {
  client.close();
  for (const p of started) await p.stop(2000);
  await aws?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("stateless NameServers from the container entry", () => {
  it("share routes through the table: a broker registered with one is served by the other", async () => {
    // GIVEN two NameServers on the same table, and a broker that knows only the first
    const ns1 = await startNamesrv("namesrv-1", table);
    const ns2 = await startNamesrv("namesrv-2", table);
    const health = await fetch(`http://127.0.0.1:${ns2.health}/health`);
    expect(await health.json()).toMatchObject({ state: "serving", detail: { routes: `dynamodb:${table}` } });
    const listenPort = await findFreePorts([0, -2]);
    const broker = spawnBundle("broker", {
      STRATUS_ROLE: "broker",
      STRATUS_BIND_HOST: "127.0.0.1",
      STRATUS_HEALTH_PORT: "0",
      STRATUS_DRAIN_MS: "0",
      STRATUS_CONF_brokerClusterName: "shared",
      STRATUS_CONF_brokerName: "broker-s",
      STRATUS_CONF_brokerIP1: "127.0.0.1",
      STRATUS_CONF_listenPort: String(listenPort),
      STRATUS_CONF_namesrvAddr: ns1.addr,
      STRATUS_CONF_storePathRootDir: join(dir, "store"),
      STRATUS_CONF_mappedFileSizeCommitLog: String(1024 * 1024),
    });
    await broker.waitForLine(READY_BROKER, 60_000);
    // WHEN the second NameServer is asked
    const info = await client.invoke(ns2.addr, createRequest(RequestCode.GET_BROKER_CLUSTER_INFO), 5000);
    const route = await client.invoke(
      ns2.addr,
      createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "TBW102" }),
      5000,
    );
    // THEN it knows the broker and its routes
    expect([...decodeClusterInfo(info.body ?? Buffer.alloc(0)).brokerAddrTable.keys()]).toEqual(["broker-s"]);
    expect(route.code).toBe(ResponseCode.SUCCESS);
  }, 180_000);

  it("refuses to start, exit 2, when the table does not exist", async () => {
    const p = spawnBundle("namesrv-missing", {
      ...awsEnv(),
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
