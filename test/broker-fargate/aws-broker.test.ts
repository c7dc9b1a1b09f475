/**
 * STRATUS_ROLE=broker with STRATUS_METADATA_TABLE and STRATUS_TIER_BUCKET: the bundled container entry runs the
 * broker on the AWS ports (moto's server on loopback). What Fargate needs from it: a task replaced on an empty
 * ephemeral disk serves the messages, topic and offsets of the task it replaces, because the SIGTERM drain uploaded
 * the CommitLog tail and the configs live in the table.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createS3Client } from "../../lib/ports/aws/aws-clients.js";
import { bucketDefinition } from "../../lib/ports/aws/definitions.js";
import { ensureBucket } from "../../lib/ports/aws/provision.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { pull, sendV2 } from "../integration/raw-client.js";
import { uniqueResourceName } from "../ports/aws-endpoint.js";
import type { ManagedProcess } from "../support/managed-process.js";
import { findFreePorts } from "../support/ports.js";
import { fargateFixture } from "./fargate-fixture.js";

const READY_BROKER = /stratus ready: broker (\S+) \(\S+\) health :(\d+)/;
const TOPIC = "TieredTopic";

const bucket = uniqueResourceName("bkt");
const f = fargateFixture("stratus-fargate-aws-", async ({ aws }) => {
  await ensureBucket(createS3Client(aws.clientOptions), bucketDefinition(bucket));
});

async function waitExit(p: ManagedProcess, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (p.exit === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return p.exit;
}

async function startBrokerTask(name: string, namesrvAddr: string, disk: string) {
  const listenPort = await findFreePorts([0, -2]);
  const p = f.spawn(name, {
    ...f.awsEnv(),
    STRATUS_ROLE: "broker",
    STRATUS_BIND_HOST: "127.0.0.1",
    STRATUS_HEALTH_PORT: "0",
    STRATUS_DRAIN_MS: "0",
    STRATUS_METRICS_INTERVAL_MS: "200",
    STRATUS_METADATA_TABLE: f.table,
    STRATUS_TIER_BUCKET: bucket,
    STRATUS_CONF_brokerClusterName: "tiered",
    STRATUS_CONF_brokerName: "broker-t",
    STRATUS_CONF_brokerIP1: "127.0.0.1",
    STRATUS_CONF_listenPort: String(listenPort),
    STRATUS_CONF_namesrvAddr: namesrvAddr,
    STRATUS_CONF_storePathRootDir: join(f.dir, disk),
    STRATUS_CONF_mappedFileSizeCommitLog: String(1024 * 1024),
  });
  const m = await p.waitForLine(READY_BROKER, 90_000);
  return { process: p, addr: m[1] ?? "", health: Number(m[2]) };
}

describe("a broker task on the AWS ports", () => {
  it("is replaced by a task on an empty disk that serves the same messages", async () => {
    // GIVEN a stateless NameServer and a broker task on the table and bucket, which acknowledged two sends
    const namesrvAddr = (await f.startNamesrv("namesrv")).addr;
    const first = await startBrokerTask("broker-1", namesrvAddr, "disk-1");
    const health = await (await fetch(`http://127.0.0.1:${first.health}/health`)).json();
    expect(health).toMatchObject({ state: "serving", detail: { awsPortsWired: true } });
    for (const body of ["one", "two"]) {
      expect((await sendV2(f.client, first.addr, TOPIC, 0, Buffer.from(body))).code).toBe(
        ResponseCode.SUCCESS,
      );
    }
    // AND it reports the bytes still waiting for S3 as a CloudWatch EMF line on stdout (the backlog alarm's metric)
    const emf = await first.process.waitForLine(/^\{"_aws".*"TierUploadBacklogBytes":[1-9]\d*\}$/, 10_000);
    expect(JSON.parse(emf[0])).toMatchObject({ ClusterName: "tiered", BrokerName: "broker-t" });
    // WHEN ECS stops it (SIGTERM) and starts a replacement whose ephemeral disk is empty
    process.kill(first.process.pid ?? 0, "SIGTERM");
    expect(await waitExit(first.process, 60_000)).toBe("code 0");
    expect(first.process.recentOutput()).toContain("tail uploaded");
    const second = await startBrokerTask("broker-2", namesrvAddr, "disk-2");
    // THEN the replacement serves both messages from the bucket
    const { response, messages } = await pull(f.client, second.addr, "tiered-group", TOPIC, 0, 0);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(messages.map((m) => m.body.toString())).toEqual(["one", "two"]);
  }, 240_000);

  it("refuses a table without a bucket, naming both variables (exit 2)", async () => {
    const p = f.spawn("half", {
      ...f.awsEnv(),
      STRATUS_ROLE: "broker",
      STRATUS_HEALTH_PORT: "0",
      STRATUS_METADATA_TABLE: f.table,
      STRATUS_CONF_storePathRootDir: join(f.dir, "half"),
    });
    expect(await waitExit(p, 30_000)).toBe("code 2");
    expect(p.recentOutput()).toContain("set both STRATUS_METADATA_TABLE and STRATUS_TIER_BUCKET");
  }, 60_000);
});
