/**
 * The local cloud as a user runs it: `npm run local:up` and `npm run local:cluster` as real processes, stopped by a
 * SIGTERM to npm, on free ports so the file runs beside others. Without a
 * Docker daemon local:up serves moto; the Apache Java client (4.9.8, the `cluster` scenario of
 * test/compat/run-scenario.sh) then produces and consumes through the cluster, and the test reads what landed in
 * the endpoint itself: the topic's config and the group's committed offsets in the DynamoDB table through the AWS
 * MetadataStore, and after the cluster's SIGTERM the tier manifest and its chunk objects in the S3 bucket.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDynamoDbClient, createS3Client } from "../../lib/ports/aws/aws-clients.js";
import { DEFAULT_BUCKET_NAME, DEFAULT_METADATA_TABLE_NAME } from "../../lib/ports/aws/definitions.js";
import { DynamoDbMetadataStore } from "../../lib/ports/aws/dynamodb-metadata-store.js";
import { S3ObjectStore } from "../../lib/ports/aws/s3-object-store.js";
import { getTopicConfig } from "../../lib/ports/records/broker-configs.js";
import { listConsumerOffsets } from "../../lib/ports/records/consumer-offsets.js";
import { listTierChunks } from "../../lib/ports/records/tier-manifest.js";
import { explain, runScenario } from "../compat/java-runners.js";
import { AWS_ENDPOINT_SETUP_TIMEOUT_MS } from "../ports/aws-endpoint.js";
import type { RunningCluster } from "../support/cluster.js";
import { eventually } from "./cloud-cluster.js";
import { freeBrokerPort, freePort } from "./stratus-process.js";

const ROOT = resolve(import.meta.dirname, "../..");
const BROKER = "broker-a";
const COUNT = 400;
const RESTART_COUNT = 50;
const QUEUES = 4;
const BODY_BYTES = 128;
const STOP_MS = 60_000;

/** An npm script as a real process tree (npm, then node: the scripts `exec` it), in its own process group. */
class NpmScript {
  readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<number | string>;

  constructor(
    readonly script: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn("npm", ["run", "--silent", script, "--", ...args], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let partial = "";
      stream?.on("data", (chunk: Buffer) => {
        const parts = (partial + chunk.toString("utf8")).split("\n");
        partial = parts.pop() ?? "";
        this.lines.push(...parts);
        for (const w of this.waiters) w();
      });
    }
    this.exited = new Promise((done) => {
      this.child.once("exit", (code, signal) => {
        done(code ?? String(signal));
        for (const w of this.waiters) w();
      });
    });
    running.add(this);
  }

  output(): string {
    return this.lines.join("\n");
  }

  async waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of this.lines) {
        const m = line.match(pattern);
        if (m) return m;
      }
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline) {
        throw new Error(`${this.script}: no line matching ${pattern}\n--- output ---\n${this.output()}`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, 500);
        this.waiters.add(() => {
          clearTimeout(t);
          r();
        });
      });
      this.waiters.clear();
    }
  }

  /** To npm (which forwards it to the script), or to the whole group (`group`, the last-resort SIGKILL). */
  signal(sig: NodeJS.Signals, group = false): void {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(group ? -pid : pid, sig);
    } catch {
      // already gone
    }
  }

  /** SIGTERM to npm, as a process manager sends it; SIGKILL to the group after `graceMs`. The exit code. */
  async stop(graceMs = STOP_MS): Promise<number | string> {
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL", true), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    running.delete(this);
    return code;
  }
}

const running = new Set<NpmScript>();
process.once("exit", () => {
  for (const p of running) p.signal("SIGKILL", true);
});

/** The test's environment minus any AWS settings, so the scripts choose and print their own. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AWS_")) env[k] = v;
  return {
    ...env,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/** The variables local:up printed (`export NAME=value`). */
function printedEnv(output: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const m of output.matchAll(/^\s*export (AWS_[A-Z_]+)=(\S+)$/gm)) vars[m[1] as string] = m[2] as string;
  return vars;
}

describe("npm run local:up + npm run local:cluster, with the Java client", () => {
  let dataDir: string;
  let up: NpmScript;
  let cluster: NpmScript | undefined;
  let endpoint: string;
  let awsVars: Record<string, string>;
  let metadata: DynamoDbMetadataStore;
  let objects: S3ObjectStore;
  let topic: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "stratus-local-cloud-"));
    const port = await freePort();
    up = new NpmScript("local:up", ["--port", String(port)], cleanEnv());
    endpoint = (await up.waitForLine(/^local cloud ready: (\S+)$/, AWS_ENDPOINT_SETUP_TIMEOUT_MS))[1] ?? "";
    awsVars = printedEnv(up.output());
    const clientOptions = {
      endpoint: awsVars.AWS_ENDPOINT_URL ?? "",
      region: awsVars.AWS_REGION ?? "",
      credentials: {
        accessKeyId: awsVars.AWS_ACCESS_KEY_ID ?? "",
        secretAccessKey: awsVars.AWS_SECRET_ACCESS_KEY ?? "",
      },
    };
    metadata = new DynamoDbMetadataStore({
      client: createDynamoDbClient(clientOptions, {}),
      tableName: DEFAULT_METADATA_TABLE_NAME,
    });
    objects = new S3ObjectStore({ client: createS3Client(clientOptions, {}), bucket: DEFAULT_BUCKET_NAME });
  }, AWS_ENDPOINT_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await cluster?.stop();
    await up?.stop();
    await metadata?.close();
    await objects?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("local:up serves 127.0.0.1:<port> with the table and bucket, and prints the environment to use", async () => {
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(awsVars).toEqual({
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    });
    // the resources exist on the endpoint (verify() fails naming a missing table or bucket)
    await metadata.verify();
    await objects.verify();
    expect(up.output()).toContain(`DynamoDB table ${DEFAULT_METADATA_TABLE_NAME}: created`);
    expect(up.output()).toContain(`S3 bucket ${DEFAULT_BUCKET_NAME}: created`);
  });

  it("local:cluster refuses to start when no endpoint answers, saying to run local:up", async () => {
    const nothing = `http://127.0.0.1:${await freePort()}`;
    const p = new NpmScript("local:cluster", ["--endpoint", nothing], cleanEnv());
    expect(await p.exited).toBe(2);
    expect(p.output()).toContain(`no local cloud answers at ${nothing}`);
    expect(p.output()).toContain("npm run local:up");
  }, 60_000);

  it("the Java client's round trip goes through the cluster, and its state lives in the endpoint", async () => {
    // GIVEN local:cluster on the printed environment, on free ports
    const namesrvPort = await freePort();
    const brokerPort = await freeBrokerPort();
    cluster = new NpmScript(
      "local:cluster",
      ["--namesrv-port", String(namesrvPort), "--broker-port", String(brokerPort), "--data-dir", dataDir],
      { ...cleanEnv(), ...awsVars },
    );
    const ready = await cluster.waitForLine(/^stratus ready: namesrv (\S+) broker (\S+)$/, 90_000);
    const running: RunningCluster = {
      target: "stratus",
      description: "npm run local:cluster on npm run local:up",
      namesrvAddr: ready[1] ?? "",
      brokerAddr: ready[2] ?? "",
      clusterName: undefined,
      brokerName: undefined,
      dataDir,
      recentOutput: () => cluster?.output().slice(-4000) ?? "",
      stop: async () => undefined,
    };
    // WHEN the 4.9.8 client sends, consumes with two clustering consumers, restarts the group and consumes more
    const run = await runScenario("4.9.8", "cluster", running, {
      count: COUNT,
      restartCount: RESTART_COUNT,
      queues: QUEUES,
      bodySize: BODY_BYTES,
    });
    // THEN every check of the scenario passed
    expect(run.result.ok, explain(run)).toBe(true);
    topic = run.result.topic as string;
    const group = run.result.group as string;
    // AND the topic's config is in the DynamoDB table under the broker
    const config = await getTopicConfig(metadata, BROKER, topic);
    expect(config?.value).toMatchObject({ topicName: topic, readQueueNums: QUEUES, writeQueueNums: QUEUES });
    // AND so are the group's committed offsets: every message of both phases consumed
    const committed = await eventually(
      "the group's offsets in DynamoDB",
      async () => {
        const offsets = await listConsumerOffsets(metadata, BROKER, group);
        const sum = offsets.filter((o) => o.topic === topic).reduce((s, o) => s + o.offset, 0);
        return sum === COUNT + RESTART_COUNT ? offsets : undefined;
      },
      30_000,
    );
    expect(new Set(committed.map((o) => o.queueId))).toEqual(new Set([0, 1, 2, 3]));

    // WHEN the cluster is stopped (SIGTERM, as Ctrl-C): it drains and uploads the CommitLog tail
    expect(await cluster.stop()).toBe(0);
    // THEN the manifest in DynamoDB lists chunks that cover every message, and each chunk is in the S3 bucket
    const { chunks } = await listTierChunks(metadata, BROKER, { limit: 1000 });
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) {
      expect(await objects.head(chunk.objectKey), chunk.objectKey).toEqual({ size: chunk.sizeBytes });
    }
    const uploaded = chunks.reduce((s, c) => s + (c.endOffset - c.startOffset), 0);
    expect(uploaded).toBeGreaterThan((COUNT + RESTART_COUNT) * BODY_BYTES);
    expect(Math.max(...chunks.map((c) => c.endOffset))).toBe(
      uploaded + Math.min(...chunks.map((c) => c.startOffset)),
    );
  }, 400_000);

  it("local:up stops its endpoint on SIGTERM", async () => {
    expect(await up.stop()).toBe(0);
    await expect(fetch(endpoint, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  }, 60_000);
});
