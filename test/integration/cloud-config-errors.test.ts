/**
 * Bad cloud configuration stops `stratus` at start with exit code 2 and a message that says what to fix
 * (the ports' verify()), before any port is bound.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDynamoDbClient } from "../../lib/ports/aws/aws-clients.js";
import { tableDefinitions } from "../../lib/ports/aws/definitions.js";
import { ensureTable } from "../../lib/ports/aws/provision.js";
import { freeLoopbackPort } from "../../localstack/moto.mjs";
import {
  AWS_ENDPOINT_SETUP_TIMEOUT_MS,
  type AwsTestEndpoint,
  startAwsTestEndpoint,
  uniqueResourceName,
} from "../ports/aws-endpoint.js";
import { awsEnv } from "./cloud-cluster.js";

const BIN = resolve(import.meta.dirname, "../../bin/stratus.js");

function stratus(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (error, _stdout, stderr) => {
      res({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr });
    });
  });
}

/** No AWS settings reachable at all (and no instance metadata lookups). */
function bareEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AWS_")) env[k] = v;
  return {
    ...env,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/nonexistent/stratus-aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/stratus-aws-credentials",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

describe("stratus with bad cloud configuration", () => {
  let endpoint: AwsTestEndpoint;
  let table: string;
  const dir = mkdtempSync(join(tmpdir(), "stratus-cloud-config-"));

  beforeAll(async () => {
    endpoint = await startAwsTestEndpoint();
    table = uniqueResourceName("cfg-table");
    const ddb = createDynamoDbClient(endpoint.clientOptions, {});
    const [def] = tableDefinitions({ metadataTableName: table });
    if (def) await ensureTable(ddb, def);
    ddb.destroy();
  }, AWS_ENDPOINT_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await endpoint?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("names a DynamoDB table that does not exist", async () => {
    const r = await stratus(
      ["namesrv", "--cloud", "aws", "--metadata-table", "no-such-table", "--port", "0"],
      awsEnv(endpoint),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--cloud aws: DynamoDB table no-such-table does not exist: create it");
  });

  it("names an S3 bucket that does not exist", async () => {
    const r = await stratus(
      ["dev", "--cloud", "aws", "--metadata-table", table, "--data-dir", dir, "--namesrv-port", "0"],
      { ...awsEnv(endpoint), STRATUS_TIER_BUCKET: "no-such-bucket" },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--cloud aws: S3 bucket no-such-bucket does not exist: create it");
  });

  it("says which AWS settings are missing", async () => {
    const noRegion = await stratus(["namesrv", "--cloud", "aws", "--port", "0"], bareEnv());
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr).toContain("no AWS region: set AWS_REGION");
    const noCredentials = await stratus(["namesrv", "--cloud", "aws", "--port", "0"], {
      ...bareEnv(),
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL: endpoint.endpoint,
    });
    expect(noCredentials.code).toBe(2);
    expect(noCredentials.stderr).toContain("no AWS credentials: set AWS_ACCESS_KEY_ID");
  });

  it("says the endpoint does not answer", async () => {
    const dead = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const r = await stratus(["namesrv", "--cloud", "aws", "--port", "0"], {
      ...awsEnv(endpoint),
      AWS_ENDPOINT_URL: dead,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("check AWS_ENDPOINT_URL");
  }, 60_000);

  it("refuses an unknown --cloud", async () => {
    const r = await stratus(["dev", "--cloud", "s3", "--data-dir", dir], process.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--cloud must be one of none, embedded, aws, got 's3'");
  });
});
