import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStratusError } from "../../../lib/common/errors.js";
import { createS3Client } from "../../../lib/ports/aws/aws-clients.js";
import { bucketDefinition } from "../../../lib/ports/aws/definitions.js";
import { ensureBucket } from "../../../lib/ports/aws/provision.js";
import { S3ObjectStore } from "../../../lib/ports/aws/s3-object-store.js";
import {
  AWS_ENDPOINT_SETUP_TIMEOUT_MS,
  type AwsTestEndpoint,
  startAwsTestEndpoint,
  uniqueResourceName,
  withoutAwsEnvironment,
} from "../aws-endpoint.js";
import { describeObjectStoreContract } from "../object-store.contract.js";

const PART_BYTES = 5 * 1024 * 1024;

let endpoint: AwsTestEndpoint;
beforeAll(async () => {
  endpoint = await startAwsTestEndpoint();
}, AWS_ENDPOINT_SETUP_TIMEOUT_MS);
afterAll(async () => {
  await endpoint?.stop();
});

async function storeOnNewBucket(): Promise<{ store: S3ObjectStore; client: S3Client; bucket: string }> {
  const client = createS3Client(endpoint.clientOptions, {});
  const bucket = uniqueResourceName("bucket");
  expect(await ensureBucket(client, bucketDefinition(bucket))).toBe(true);
  const store = new S3ObjectStore({
    client,
    bucket,
    multipartThresholdBytes: PART_BYTES,
    partBytes: PART_BYTES,
  });
  return { store, client, bucket };
}

describeObjectStoreContract("S3", async () => {
  const { store } = await storeOnNewBucket();
  return {
    store,
    largeObjectBytes: 2 * PART_BYTES + 12_345,
    propertyRuns: 12,
    partBytes: PART_BYTES,
    cleanup: () => store.close(),
  };
});

describe("S3ObjectStore", () => {
  it("uploads a body at the threshold in parts (a multipart ETag counts them)", async () => {
    const { store, client, bucket } = await storeOnNewBucket();
    await store.put("mp", Buffer.alloc(2 * PART_BYTES + 1, 7));
    await store.put("single", Buffer.alloc(PART_BYTES - 1, 7));
    const mp = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "mp" }));
    const single = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "single" }));
    expect(mp.ETag).toMatch(/-3"?$/);
    expect(single.ETag).not.toMatch(/-\d+"?$/);
    await store.close();
  }, 60_000);

  it("leaves no multipart upload open after a put in parts", async () => {
    const { store, client, bucket } = await storeOnNewBucket();
    await store.put("mp", Buffer.alloc(PART_BYTES + 10, 1));
    const { ListMultipartUploadsCommand } = await import("@aws-sdk/client-s3");
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(open.Uploads ?? []).toEqual([]);
    await store.close();
  }, 60_000);

  it("creates its bucket only once", async () => {
    const { client, bucket, store } = await storeOnNewBucket();
    expect(await ensureBucket(client, bucketDefinition(bucket))).toBe(false);
    await store.close();
  });

  it("fails verify with CONFIG_INVALID naming a bucket that does not exist", async () => {
    const client = createS3Client(endpoint.clientOptions, {});
    const store = new S3ObjectStore({ client, bucket: uniqueResourceName("absent") });
    const e = await store.verify().catch((err: unknown) => err);
    expect(isStratusError(e, "CONFIG_INVALID")).toBe(true);
    expect((e as Error).message).toMatch(/S3 bucket stratus-test-absent-\w+ does not exist: create it/);
    await store.close();
  });

  it("fails verify with CONFIG_INVALID saying to set credentials when there are none", async () => {
    const { credentials: _, ...withoutCredentials } = endpoint.clientOptions;
    await withoutAwsEnvironment(async () => {
      const store = new S3ObjectStore({ client: createS3Client(withoutCredentials, {}), bucket: "any" });
      const e = await store.verify().catch((err: unknown) => err);
      expect(isStratusError(e, "CONFIG_INVALID")).toBe(true);
      expect((e as Error).message).toContain("no AWS credentials: set AWS_ACCESS_KEY_ID");
      await store.close();
    });
  });

  it("fails verify with CONFIG_INVALID saying to set a region when there is none", async () => {
    const { region: _, ...withoutRegion } = endpoint.clientOptions;
    await withoutAwsEnvironment(async () => {
      const store = new S3ObjectStore({ client: createS3Client(withoutRegion, {}), bucket: "any" });
      const e = await store.verify().catch((err: unknown) => err);
      expect(isStratusError(e, "CONFIG_INVALID") && e.message).toContain("no AWS region: set AWS_REGION");
      await store.close();
    });
  });

  it("raises a retriable OBJECT_STORE_UNAVAILABLE when the endpoint does not answer", async () => {
    const { freeLoopbackPort } = await import("../../../localstack/moto.mjs");
    const dead = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const client = createS3Client({ ...endpoint.clientOptions, endpoint: dead, maxAttempts: 1 }, {});
    const store = new S3ObjectStore({ client, bucket: "b" });
    const e = await store.get("k").catch((err: unknown) => err);
    expect(isStratusError(e, "OBJECT_STORE_UNAVAILABLE") && e.retriable).toBe(true);
    await store.close();
  });
});
