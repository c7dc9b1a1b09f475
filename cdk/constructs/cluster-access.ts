/**
 * Least privilege for a broker task: its cluster's items in the metadata table and its cluster's objects in the
 * tier bucket, nothing else.
 *
 * DynamoDB: only item actions that always carry partition keys are granted, each under
 * `ForAllValues:StringLike dynamodb:LeadingKeys = ["<cluster>/*"]`. Scan is never granted: it has no leading key,
 * and ForAllValues over an empty set is true, so the condition would not protect it. TransactWriteItems is
 * authorized per item through PutItem/UpdateItem/DeleteItem/ConditionCheckItem. DescribeTable (no items) lets
 * MetadataStore.verify() check the table at start.
 * S3 (standard bucket): objects under "<cluster>/" and ListBucket with an s3:prefix condition.
 * S3 Express: s3express:CreateSession on the directory bucket (IAM cannot narrow it to a prefix).
 * CloudWatch: PutMetricData only into the Stratus namespace (the upload-backlog alarm reads it).
 */
import { Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import { metadataKeyPrefix, objectKeyPrefix } from "./cluster-scope.js";

export const METRIC_NAMESPACE = "Stratus";

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

export interface ClusterStorageRef {
  readonly clusterName: string;
  readonly tableName: string;
  readonly bucketName: string;
  readonly bucketKind: "standard" | "express";
}

export function metadataTableArn(stack: Stack, tableName: string): string {
  return stack.formatArn({ service: "dynamodb", resource: "table", resourceName: tableName });
}

export function tierBucketArn(stack: Stack, ref: ClusterStorageRef): string {
  if (ref.bucketKind === "express") {
    return stack.formatArn({ service: "s3express", resource: "bucket", resourceName: ref.bucketName });
  }
  return stack.formatArn({ service: "s3", region: "", account: "", resource: ref.bucketName });
}

/** The statements `grantClusterAccess` adds (exported so tests can read them without a role). */
export function clusterAccessStatements(stack: Stack, ref: ClusterStorageRef): iam.PolicyStatement[] {
  const tableArn = metadataTableArn(stack, ref.tableName);
  const bucketArn = tierBucketArn(stack, ref);
  const keyPrefix = metadataKeyPrefix(ref.clusterName);
  const objectPrefix = objectKeyPrefix(ref.clusterName);
  const statements = [
    new iam.PolicyStatement({
      sid: "ClusterItems",
      actions: [...ITEM_ACTIONS],
      resources: [tableArn],
      conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${keyPrefix}*`] } },
    }),
    new iam.PolicyStatement({
      sid: "DescribeTable",
      actions: ["dynamodb:DescribeTable"],
      resources: [tableArn],
    }),
    new iam.PolicyStatement({
      sid: "PublishMetrics",
      actions: ["cloudwatch:PutMetricData"],
      resources: ["*"],
      conditions: { StringEquals: { "cloudwatch:namespace": METRIC_NAMESPACE } },
    }),
  ];
  if (ref.bucketKind === "express") {
    statements.push(
      new iam.PolicyStatement({
        sid: "TierSession",
        actions: ["s3express:CreateSession"],
        resources: [bucketArn],
      }),
    );
    return statements;
  }
  statements.push(
    new iam.PolicyStatement({
      sid: "ClusterObjects",
      actions: [...OBJECT_ACTIONS],
      resources: [`${bucketArn}/${objectPrefix}*`],
    }),
    new iam.PolicyStatement({
      sid: "ListClusterObjects",
      actions: ["s3:ListBucket"],
      resources: [bucketArn],
      conditions: { StringLike: { "s3:prefix": [`${objectPrefix}*`] } },
    }),
  );
  return statements;
}

export function grantClusterAccess(role: iam.IRole, ref: ClusterStorageRef): void {
  for (const s of clusterAccessStatements(Stack.of(role), ref)) role.addToPrincipalPolicy(s);
}
