/**
 * Both ports on AWS (or an S3/DynamoDB-compatible endpoint such as moto or LocalStack), configured from
 * the standard AWS environment plus the two resource names, and verified: a missing bucket or table, no
 * region or no credentials fail here with CONFIG_INVALID saying what to fix.
 */
import type { MetadataStore } from "../metadata-store.js";
import type { ObjectStore } from "../object-store.js";
import { type AwsClientOptions, createDynamoDbClient, createS3Client } from "./aws-clients.js";
import { DEFAULT_BUCKET_NAME, DEFAULT_METADATA_TABLE_NAME } from "./definitions.js";
import { DynamoDbMetadataStore } from "./dynamodb-metadata-store.js";
import { S3ObjectStore } from "./s3-object-store.js";

export interface AwsCloudOptions extends AwsClientOptions {
  readonly bucket?: string | undefined;
  readonly metadataTableName?: string | undefined;
}

export async function openAwsCloud(
  options: AwsCloudOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<{ objectStore: ObjectStore; metadataStore: MetadataStore }> {
  const objectStore = new S3ObjectStore({
    client: createS3Client(options, env),
    bucket: options.bucket ?? DEFAULT_BUCKET_NAME,
  });
  const metadataStore = new DynamoDbMetadataStore({
    client: createDynamoDbClient(options, env),
    tableName: options.metadataTableName ?? DEFAULT_METADATA_TABLE_NAME,
  });
  try {
    await objectStore.verify();
    await metadataStore.verify();
  } catch (e) {
    await objectStore.close();
    await metadataStore.close();
    throw e;
  }
  return { objectStore, metadataStore };
}
