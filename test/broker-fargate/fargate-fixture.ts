/**
 * The bundled container entry on the AWS ports for tests: one bundle, one moto endpoint (or the external one) and
 * one table per test file; processes spawned from the bundle with only the environment a task would get.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { bundleFargateEntry } from "../../broker-fargate/bundle.js";
import { createDynamoDbClient } from "../../lib/ports/aws/aws-clients.js";
import { tableDefinitions } from "../../lib/ports/aws/definitions.js";
import { ensureTable } from "../../lib/ports/aws/provision.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import {
  AWS_ENDPOINT_SETUP_TIMEOUT_MS,
  type AwsTestEndpoint,
  awsProcessEnv,
  startAwsTestEndpoint,
  uniqueResourceName,
} from "../ports/aws-endpoint.js";
import { ManagedProcess } from "../support/managed-process.js";

export const READY_NAMESRV = /stratus ready: namesrv (\S+) health :(\d+)/;

export interface FargateFixture {
  /** Scratch dir of the file: the bundle, process logs, broker disks. */
  readonly dir: string;
  readonly aws: AwsTestEndpoint;
  readonly table: string;
  readonly client: RemotingClient;
  /** The environment that points the AWS SDK at the file's endpoint. */
  awsEnv(): Record<string, string>;
  /** A process running the bundle with PATH, HOME and `env` only; stopped after the file. */
  spawn(name: string, env: Record<string, string>): ManagedProcess;
  /** A stateless NameServer on the file's table. */
  startNamesrv(name: string): Promise<{ addr: string; health: number }>;
}

/** Registers the file's beforeAll/afterAll; `setup` runs once the endpoint and table exist. */
export function fargateFixture(prefix: string, setup?: (f: FargateFixture) => Promise<void>): FargateFixture {
  let dir: string | undefined;
  let aws: AwsTestEndpoint | undefined;
  let bundle = "";
  const table = uniqueResourceName("tbl");
  const client = new RemotingClient();
  const started: ManagedProcess[] = [];
  const need = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error("fargateFixture is used outside its test file's run");
    return v;
  };
  const fixture: FargateFixture = {
    get dir() {
      return need(dir);
    },
    get aws() {
      return need(aws);
    },
    table,
    client,
    awsEnv: () => awsProcessEnv(fixture.aws),
    spawn(name, env) {
      const p = new ManagedProcess({
        name,
        command: process.execPath,
        args: [bundle],
        env: { PATH: process.env.PATH ?? "", HOME: fixture.dir, ...env },
        logFile: join(fixture.dir, `${name}.log`),
      });
      started.push(p);
      return p;
    },
    async startNamesrv(name) {
      const p = fixture.spawn(name, {
        ...fixture.awsEnv(),
        STRATUS_ROLE: "namesrv",
        STRATUS_BIND_HOST: "127.0.0.1",
        STRATUS_NAMESRV_PORT: "0",
        STRATUS_HEALTH_PORT: "0",
        STRATUS_METADATA_TABLE: table,
      });
      const m = await p.waitForLine(READY_NAMESRV, 60_000);
      return { addr: m[1] ?? "", health: Number(m[2]) };
    },
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    aws = await startAwsTestEndpoint();
    const [def] = tableDefinitions({ metadataTableName: table });
    if (def === undefined) throw new Error("no table definition");
    await ensureTable(createDynamoDbClient(aws.clientOptions), def);
    await setup?.(fixture);
    bundle = (await bundleFargateEntry(join(dir, "stratus-fargate.mjs"))).outfile;
  }, AWS_ENDPOINT_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    client.close();
    for (const p of started) await p.stop(2000);
    await aws?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return fixture;
}
