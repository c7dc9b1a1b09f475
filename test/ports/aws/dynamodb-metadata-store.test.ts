import { CreateTableCommand, DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStratusError } from "../../../lib/common/errors.js";
import { createDynamoDbClient } from "../../../lib/ports/aws/aws-clients.js";
import { tableDefinitions } from "../../../lib/ports/aws/definitions.js";
import { DynamoDbMetadataStore } from "../../../lib/ports/aws/dynamodb-metadata-store.js";
import { ensureTable } from "../../../lib/ports/aws/provision.js";
import {
  AWS_ENDPOINT_SETUP_TIMEOUT_MS,
  type AwsTestEndpoint,
  startAwsTestEndpoint,
  uniqueResourceName,
  withoutAwsEnvironment,
} from "../aws-endpoint.js";
import { describeMetadataStoreContract } from "../metadata-store.contract.js";

let endpoint: AwsTestEndpoint;
beforeAll(async () => {
  endpoint = await startAwsTestEndpoint();
}, AWS_ENDPOINT_SETUP_TIMEOUT_MS);
afterAll(async () => {
  await endpoint?.stop();
});

describeMetadataStoreContract("DynamoDB", async () => {
  const tableName = uniqueResourceName("table");
  const admin = createDynamoDbClient(endpoint.clientOptions, {});
  const [def] = tableDefinitions({ metadataTableName: tableName });
  if (!def) throw new Error("no table definition");
  expect(await ensureTable(admin, def)).toBe(true);
  admin.destroy();
  return {
    propertyRuns: 15,
    open: async () =>
      new DynamoDbMetadataStore({ client: createDynamoDbClient(endpoint.clientOptions, {}), tableName }),
    cleanup: async () => {},
  };
});

describe("DynamoDbMetadataStore", () => {
  it("creates its table once, on-demand, with TTL on the ttl attribute", async () => {
    const client = createDynamoDbClient(endpoint.clientOptions, {});
    const [def] = tableDefinitions({ metadataTableName: uniqueResourceName("table") });
    if (!def) throw new Error("no table definition");
    expect(await ensureTable(client, def)).toBe(true);
    expect(await ensureTable(client, def)).toBe(false);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: def.tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: "ttl", TimeToLiveStatus: "ENABLED" });
    client.destroy();
  });

  it("fails verify with CONFIG_INVALID naming a table that does not exist", async () => {
    const tableName = uniqueResourceName("absent");
    const store = new DynamoDbMetadataStore({
      client: createDynamoDbClient(endpoint.clientOptions, {}),
      tableName,
    });
    const e = await store.verify().catch((err: unknown) => err);
    expect(isStratusError(e, "CONFIG_INVALID")).toBe(true);
    expect((e as Error).message).toContain(`DynamoDB table ${tableName} does not exist: create it`);
    await store.close();
  });

  it("fails verify with CONFIG_INVALID for a table with other keys", async () => {
    const client = createDynamoDbClient(endpoint.clientOptions, {});
    const tableName = uniqueResourceName("wrongkeys");
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    const e = await new DynamoDbMetadataStore({ client, tableName }).verify().catch((err: unknown) => err);
    expect(isStratusError(e, "CONFIG_INVALID") && e.message).toContain(
      "needs partition key pk (S) and sort key sk (S)",
    );
    client.destroy();
  });

  it("fails verify with CONFIG_INVALID saying what to set when credentials or region are missing", async () => {
    const { credentials: _c, ...noCredentials } = endpoint.clientOptions;
    const { region: _r, ...noRegion } = endpoint.clientOptions;
    await withoutAwsEnvironment(async () => {
      for (const [options, fix] of [
        [noCredentials, "no AWS credentials: set AWS_ACCESS_KEY_ID"],
        [noRegion, "no AWS region: set AWS_REGION"],
      ] as const) {
        const store = new DynamoDbMetadataStore({
          client: createDynamoDbClient(options, {}),
          tableName: "t",
        });
        const e = await store.verify().catch((err: unknown) => err);
        expect(isStratusError(e, "CONFIG_INVALID") && e.message).toContain(fix);
        await store.close();
      }
    });
  });

  it("raises a retriable METADATA_UNAVAILABLE when the endpoint does not answer", async () => {
    const { freeLoopbackPort } = await import("../../../localstack/moto.mjs");
    const dead = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const client = createDynamoDbClient({ ...endpoint.clientOptions, endpoint: dead, maxAttempts: 1 }, {});
    const store = new DynamoDbMetadataStore({ client, tableName: "t" });
    const e = await store.putIfAbsent({ pk: "p", sk: "s" }, 1).catch((err: unknown) => err);
    expect(isStratusError(e, "METADATA_UNAVAILABLE") && e.retriable).toBe(true);
    await store.close();
  });
});
