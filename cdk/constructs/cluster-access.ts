/**
 * Least privilege for the task roles (key layouts: key-scope.ts).
 *
 * DynamoDB: only item actions that always carry partition keys are granted, on the cluster's own table, each under
 * a `ForAllValues:` dynamodb:LeadingKeys condition. Scan is never granted: it has no leading key, and ForAllValues
 * over an empty set is true, so the condition would not protect it. TransactWriteItems is authorized per item
 * through PutItem/UpdateItem/DeleteItem/ConditionCheckItem. DescribeTable (no items) lets MetadataStore.verify()
 * check the table at start.
 * S3 (standard bucket): a broker's own chunk objects, and ListBucket only without a prefix or with its own (HeadBucket,
 * which ObjectStore.verify() calls, is authorized as ListBucket without a prefix; such a listing shows key names,
 * never contents). S3 Express: s3express:CreateSession on the directory bucket (IAM cannot narrow it to a prefix).
 * CloudWatch: nothing. The upload-backlog metric travels as an EMF log line (lib/ports/aws/metrics.ts) through the
 * awslogs driver, which writes with the execution role; CloudWatch Logs extracts it without cloudwatch:PutMetricData.
 */
import type { Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import { brokerObjectPattern, brokerPartitionKeys, namesrvPartitionKeyPatterns } from "./key-scope.js";

export const ITEM_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:ConditionCheckItem",
] as const;

export const OBJECT_ACTIONS = [
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts",
] as const;

/** Where one cluster's state lives. */
export interface ClusterStorage {
  readonly clusterName: string;
  /** The cluster's own metadata table. */
  readonly tableName: string;
  readonly bucketName: string;
  readonly bucketKind: "standard" | "express";
}

export function metadataTableArn(stack: Stack, tableName: string): string {
  return stack.formatArn({ service: "dynamodb", resource: "table", resourceName: tableName });
}

export function tierBucketArn(stack: Stack, storage: ClusterStorage): string {
  if (storage.bucketKind === "express") {
    return stack.formatArn({ service: "s3express", resource: "bucket", resourceName: storage.bucketName });
  }
  return stack.formatArn({ service: "s3", region: "", account: "", resource: storage.bucketName });
}

function tableStatements(
  stack: Stack,
  tableName: string,
  leadingKeys: Record<string, Record<string, string[]>>,
) {
  const tableArn = metadataTableArn(stack, tableName);
  return [
    new iam.PolicyStatement({
      sid: "OwnItems",
      actions: [...ITEM_ACTIONS],
      resources: [tableArn],
      conditions: leadingKeys,
    }),
    new iam.PolicyStatement({
      sid: "DescribeTable",
      actions: ["dynamodb:DescribeTable"],
      resources: [tableArn],
    }),
  ];
}

/** A broker's statements: its partitions of its cluster's table, its chunks in the bucket. */
export function brokerAccessStatements(
  stack: Stack,
  storage: ClusterStorage,
  brokerName: string,
): iam.PolicyStatement[] {
  const statements = [
    ...tableStatements(stack, storage.tableName, {
      "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": brokerPartitionKeys(brokerName) },
    }),
  ];
  const bucketArn = tierBucketArn(stack, storage);
  if (storage.bucketKind === "express") {
    statements.push(
      new iam.PolicyStatement({
        sid: "TierSession",
        actions: ["s3express:CreateSession"],
        resources: [bucketArn],
      }),
    );
    return statements;
  }
  const objects = brokerObjectPattern(storage.clusterName, brokerName);
  statements.push(
    new iam.PolicyStatement({
      sid: "OwnChunks",
      actions: [...OBJECT_ACTIONS],
      resources: [`${bucketArn}/${objects}`],
    }),
    new iam.PolicyStatement({
      sid: "HeadAndListOwnChunks",
      actions: ["s3:ListBucket"],
      resources: [bucketArn],
      conditions: { StringLikeIfExists: { "s3:prefix": [objects] } },
    }),
  );
  return statements;
}

/** A stateless NameServer's statements: the lease, route and KV partitions of its cluster's table. */
export function namesrvAccessStatements(stack: Stack, storage: ClusterStorage): iam.PolicyStatement[] {
  return tableStatements(stack, storage.tableName, {
    "ForAllValues:StringLike": { "dynamodb:LeadingKeys": namesrvPartitionKeyPatterns() },
  });
}

export function grant(role: iam.IRole, statements: readonly iam.PolicyStatement[]): void {
  for (const s of statements) role.addToPrincipalPolicy(s);
}
