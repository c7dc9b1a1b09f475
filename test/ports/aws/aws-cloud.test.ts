import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStratusError } from "../../../lib/common/errors.js";
import { createDynamoDbClient, createS3Client } from "../../../lib/ports/aws/aws-clients.js";
import { openAwsCloud } from "../../../lib/ports/aws/aws-cloud.js";
import { bucketDefinition, tableDefinitions } from "../../../lib/ports/aws/definitions.js";
import { ensureBucket, ensureTable } from "../../../lib/ports/aws/provision.js";
import {
  AWS_ENDPOINT_SETUP_TIMEOUT_MS,
  type AwsTestEndpoint,
  startAwsTestEndpoint,
  uniqueResourceName,
} from "../aws-endpoint.js";

let endpoint: AwsTestEndpoint;
beforeAll(async () => {
  endpoint = await startAwsTestEndpoint();
}, AWS_ENDPOINT_SETUP_TIMEOUT_MS);
afterAll(async () => {
  await endpoint?.stop();
});

describe("openAwsCloud", () => {
  it("opens both ports on provisioned resources, with the endpoint taken from AWS_ENDPOINT_URL", async () => {
    const bucket = uniqueResourceName("bucket");
    const metadataTableName = uniqueResourceName("table");
    const s3 = createS3Client(endpoint.clientOptions, {});
    const ddb = createDynamoDbClient(endpoint.clientOptions, {});
    await ensureBucket(s3, bucketDefinition(bucket));
    const [table] = tableDefinitions({ metadataTableName });
    if (!table) throw new Error("no table definition");
    await ensureTable(ddb, table);
    s3.destroy();
    ddb.destroy();
    const { endpoint: _, ...withoutEndpoint } = endpoint.clientOptions;
    const cloud = await openAwsCloud(
      { ...withoutEndpoint, bucket, metadataTableName },
      { AWS_ENDPOINT_URL: endpoint.endpoint },
    );
    await cloud.objectStore.put("a/b", Buffer.from("x"));
    expect((await cloud.objectStore.list("a/")).objects).toEqual([{ key: "a/b", size: 1 }]);
    expect(await cloud.metadataStore.putIfAbsent({ pk: "p", sk: "s" }, 1)).toEqual({ ok: true, version: 1 });
    await cloud.objectStore.close();
    await cloud.metadataStore.close();
  });

  it("fails with CONFIG_INVALID naming the missing bucket before touching the table", async () => {
    const bucket = uniqueResourceName("nobucket");
    const e = await openAwsCloud({ ...endpoint.clientOptions, bucket, metadataTableName: "none" }, {}).catch(
      (err: unknown) => err,
    );
    expect(isStratusError(e, "CONFIG_INVALID") && e.message).toContain(`S3 bucket ${bucket} does not exist`);
  });

  it("fails with CONFIG_INVALID naming the missing table", async () => {
    const bucket = uniqueResourceName("bucket");
    const s3 = createS3Client(endpoint.clientOptions, {});
    await ensureBucket(s3, bucketDefinition(bucket));
    s3.destroy();
    const metadataTableName = uniqueResourceName("notable");
    const e = await openAwsCloud({ ...endpoint.clientOptions, bucket, metadataTableName }, {}).catch(
      (err: unknown) => err,
    );
    expect(isStratusError(e, "CONFIG_INVALID") && e.message).toContain(
      `DynamoDB table ${metadataTableName} does not exist`,
    );
  });
});
