/**
 * Creates the bucket and the metadata table from definitions.ts when they are missing: for local endpoints
 * (moto, LocalStack) and tests. In AWS the CDK stack owns them; this never deletes or alters what exists.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketLifecycleConfigurationCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { StratusError } from "../../common/errors.js";
import { awsErrorName, httpStatusOf, unavailable } from "./aws-clients.js";
import type { BucketDefinition, TableDefinition } from "./definitions.js";

const TABLE_ACTIVE_TIMEOUT_MS = 60_000;

/** True when it created the bucket. */
export async function ensureBucket(s3: S3Client, def: BucketDefinition): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: def.bucketName }));
    return false;
  } catch (e) {
    if (httpStatusOf(e) !== 404 && awsErrorName(e) !== "NotFound" && awsErrorName(e) !== "NoSuchBucket") {
      throw unavailable("OBJECT_STORE_UNAVAILABLE", `S3 bucket ${def.bucketName}`, e);
    }
  }
  try {
    await s3.send(new CreateBucketCommand({ Bucket: def.bucketName }));
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: def.bucketName,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: "abort-incomplete-multipart-uploads",
              Status: "Enabled",
              Filter: { Prefix: "" },
              AbortIncompleteMultipartUpload: {
                DaysAfterInitiation: def.abortIncompleteMultipartUploadAfterDays,
              },
            },
          ],
        },
      }),
    );
    return true;
  } catch (e) {
    if (awsErrorName(e) === "BucketAlreadyOwnedByYou") return false;
    throw unavailable("OBJECT_STORE_UNAVAILABLE", `creating S3 bucket ${def.bucketName}`, e);
  }
}

/** True when it created the table; waits until the table is ACTIVE either way. */
export async function ensureTable(ddb: DynamoDBClient, def: TableDefinition): Promise<boolean> {
  let created = false;
  try {
    await ddb.send(
      new CreateTableCommand({
        TableName: def.tableName,
        AttributeDefinitions: [
          { AttributeName: def.partitionKey.name, AttributeType: def.partitionKey.type },
          { AttributeName: def.sortKey.name, AttributeType: def.sortKey.type },
        ],
        KeySchema: [
          { AttributeName: def.partitionKey.name, KeyType: "HASH" },
          { AttributeName: def.sortKey.name, KeyType: "RANGE" },
        ],
        BillingMode: def.billingMode,
        DeletionProtectionEnabled: def.deletionProtection,
      }),
    );
    created = true;
  } catch (e) {
    if (awsErrorName(e) !== "ResourceInUseException") {
      throw unavailable("METADATA_UNAVAILABLE", `creating DynamoDB table ${def.tableName}`, e);
    }
  }
  await waitActive(ddb, def.tableName);
  if (created) {
    await ddb
      .send(
        new UpdateTimeToLiveCommand({
          TableName: def.tableName,
          TimeToLiveSpecification: { AttributeName: def.timeToLiveAttribute, Enabled: true },
        }),
      )
      .catch((e: unknown) => {
        throw unavailable("METADATA_UNAVAILABLE", `enabling TTL on ${def.tableName}`, e);
      });
  }
  return created;
}

async function waitActive(ddb: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + TABLE_ACTIVE_TIMEOUT_MS;
  for (;;) {
    const res = await ddb.send(new DescribeTableCommand({ TableName: tableName })).catch((e: unknown) => {
      throw unavailable("METADATA_UNAVAILABLE", `describing DynamoDB table ${tableName}`, e);
    });
    if (res.Table?.TableStatus === "ACTIVE") return;
    if (Date.now() > deadline) {
      throw new StratusError("METADATA_UNAVAILABLE", `DynamoDB table ${tableName} not ACTIVE after 60 s`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
