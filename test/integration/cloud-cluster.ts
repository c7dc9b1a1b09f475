/**
 * Stratus processes over a shared cloud, for the stateless-NameServer and broker-state tests: `stratus
 * namesrv`, `stratus broker` and `stratus dev` started with `--cloud embedded --data-dir D` (files + SQLite
 * under D/cloud) or `--cloud aws` against moto (AWS_ENDPOINT_URL and test credentials in the environment,
 * a fresh table and bucket per cloud), each a real child process on loopback.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createDynamoDbClient, createS3Client } from "../../lib/ports/aws/aws-clients.js";
import { bucketDefinition, tableDefinitions } from "../../lib/ports/aws/definitions.js";
import { ensureBucket, ensureTable } from "../../lib/ports/aws/provision.js";
import { type AwsTestEndpoint, awsProcessEnv, uniqueResourceName } from "../ports/aws-endpoint.js";
import { ManagedProcess } from "../support/managed-process.js";
import { freeBrokerPort, freePort } from "./stratus-process.js";

const BIN = resolve(import.meta.dirname, "../../bin/stratus.js");
const READY_MS = 60_000;

export interface TestCloud {
  readonly kind: "embedded" | "aws";
  /** `--cloud ...` and the flags that locate it. */
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Holds D/cloud (embedded), D/broker and the process logs. */
  readonly dataDir: string;
  remove(): void;
}

export function embeddedCloud(): TestCloud {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-cloud-"));
  return {
    kind: "embedded",
    args: ["--cloud", "embedded", "--data-dir", dataDir],
    env: process.env,
    dataDir,
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** The environment a `--cloud aws` process gets: the endpoint, a region and test credentials. */
export function awsEnv(endpoint: AwsTestEndpoint): NodeJS.ProcessEnv {
  return { ...process.env, ...awsProcessEnv(endpoint) };
}

/** A fresh table (named by --metadata-table) and bucket (by STRATUS_TIER_BUCKET) on the endpoint. */
export async function awsCloud(endpoint: AwsTestEndpoint): Promise<TestCloud> {
  const table = uniqueResourceName("it-table");
  const bucket = uniqueResourceName("it-bucket");
  const ddb = createDynamoDbClient(endpoint.clientOptions, {});
  const s3 = createS3Client(endpoint.clientOptions, {});
  const [def] = tableDefinitions({ metadataTableName: table });
  if (def === undefined) throw new Error("no table definition");
  await ensureTable(ddb, def);
  await ensureBucket(s3, bucketDefinition(bucket));
  ddb.destroy();
  s3.destroy();
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-cloud-aws-"));
  return {
    kind: "aws",
    args: ["--cloud", "aws", "--metadata-table", table, "--data-dir", dataDir],
    env: { ...awsEnv(endpoint), STRATUS_TIER_BUCKET: bucket },
    dataDir,
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

export interface StratusProcess {
  readonly process: ManagedProcess;
  /** The address in the ready line (NameServer, or broker). */
  readonly addr: string;
  /** `stratus dev` only: its broker. */
  readonly brokerAddr?: string;
  stop(): Promise<void>;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: frozen, its connections stay open but it says nothing. */
  pause(): void;
  resume(): void;
}

let seq = 0;

async function launch(
  name: string,
  cloud: TestCloud,
  args: string[],
  ready: RegExp,
): Promise<StratusProcess> {
  const p = new ManagedProcess({
    name,
    command: process.execPath,
    args: [BIN, ...args],
    env: cloud.env,
    logFile: join(cloud.dataDir, `${name.replaceAll(" ", "-")}-${seq++}.log`),
  });
  let m: RegExpMatchArray;
  try {
    m = await p.waitForLine(ready, READY_MS);
  } catch (e) {
    await p.stop();
    throw e;
  }
  const signal = (s: NodeJS.Signals) => {
    if (p.pid !== undefined) process.kill(p.pid, s);
  };
  return {
    process: p,
    addr: m[1] ?? "",
    brokerAddr: m[2],
    stop: () => p.stop(),
    kill: async () => {
      signal("SIGKILL");
      await p.stop();
    },
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
  };
}

export async function startNamesrv(
  cloud: TestCloud,
  options: { port?: number; brokerExpiredMs?: number } = {},
): Promise<StratusProcess> {
  const port = options.port ?? (await freePort());
  const args = ["namesrv", ...cloud.args, "--host", "127.0.0.1", "--port", String(port)];
  if (options.brokerExpiredMs !== undefined)
    args.push("--broker-expired-ms", String(options.brokerExpiredMs));
  return launch("namesrv", cloud, args, /^stratus ready: namesrv (\S+)/);
}

/** A broker with storePathRootDir D/broker; `conf` is extra broker.conf text. */
export async function startBroker(
  cloud: TestCloud,
  options: { namesrvAddr: string; brokerName?: string; port?: number; conf?: string },
): Promise<StratusProcess> {
  const port = options.port ?? (await freeBrokerPort());
  const confPath = join(cloud.dataDir, `broker-${seq++}.conf`);
  writeFileSync(
    confPath,
    [
      `brokerName=${options.brokerName ?? "broker-a"}`,
      `listenPort=${port}`,
      `namesrvAddr=${options.namesrvAddr}`,
      "brokerIP1=127.0.0.1",
      options.conf ?? "",
    ].join("\n"),
  );
  const args = ["broker", ...cloud.args, "--host", "127.0.0.1", "--config", confPath];
  return launch("broker", cloud, args, /^stratus ready: broker (\S+)/);
}

/** `stratus dev` (NameServer + broker) on the cloud, its broker's disk in D/broker. */
export async function startDev(
  cloud: TestCloud,
  options: { namesrvPort?: number; brokerPort?: number; conf?: string } = {},
): Promise<StratusProcess> {
  const namesrvPort = options.namesrvPort ?? (await freePort());
  const brokerPort = options.brokerPort ?? (await freeBrokerPort());
  const args = [
    "dev",
    ...cloud.args,
    "--host",
    "127.0.0.1",
    "--namesrv-port",
    String(namesrvPort),
    "--broker-port",
    String(brokerPort),
  ];
  if (options.conf !== undefined) {
    const confPath = join(cloud.dataDir, `dev-${seq++}.conf`);
    writeFileSync(confPath, options.conf);
    args.push("--config", confPath);
  }
  return launch("dev", cloud, args, /^stratus ready: namesrv (\S+) broker (\S+)/);
}

/** Polls `probe` until it returns a defined value, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (${String(last)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
