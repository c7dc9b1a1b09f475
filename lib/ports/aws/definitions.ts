/**
 * The AWS resources the ports need, as plain data: the local setup (provision.ts, localstack/) and the CDK
 * stack both build them from here, so a table or bucket is defined once. Design: docs/adr/0004.
 */

export const DEFAULT_METADATA_TABLE_NAME = "stratus-metadata";
export const DEFAULT_BUCKET_NAME = "stratus-tier";

/** Attribute names of the metadata table's items. */
export const METADATA_ATTRIBUTES = {
  /** Partition key (S). */
  partitionKey: "pk",
  /** Sort key (S). */
  sortKey: "sk",
  /** The item's value as JSON text (S). */
  value: "val",
  /** The item's version (N): 1 on putIfAbsent, +1 per conditional put, 0 for blind writes. */
  version: "ver",
  /** Expiry in epoch milliseconds (N), read by Stratus with its Clock. */
  expiresAtMs: "exp",
  /** Expiry in epoch seconds plus a grace period (N): DynamoDB's TTL attribute. */
  timeToLive: "ttl",
} as const;

/** How long after its expiry DynamoDB may delete an item (kept a while for debugging dead brokers). */
export const TTL_GRACE_SECONDS = 3600;

export interface TableDefinition {
  readonly tableName: string;
  readonly partitionKey: { readonly name: string; readonly type: "S" };
  readonly sortKey: { readonly name: string; readonly type: "S" };
  /** On-demand capacity: metadata traffic is spiky (broker start, rebalances) and small. */
  readonly billingMode: "PAY_PER_REQUEST";
  readonly timeToLiveAttribute: string;
  readonly pointInTimeRecovery: boolean;
  readonly deletionProtection: boolean;
}

export interface BucketDefinition {
  readonly bucketName: string;
  /** Objects are immutable and never overwritten with different bytes: no versioning needed. */
  readonly versioned: false;
  /** Multipart uploads a crashed broker left unfinished are aborted (their parts cost storage). */
  readonly abortIncompleteMultipartUploadAfterDays: number;
  readonly blockPublicAccess: true;
  readonly encryption: "S3_MANAGED";
  readonly enforceSsl: true;
}

/** The single metadata table (every record kind shares it; see the ADR for the key layout). */
export function tableDefinitions(
  options: { metadataTableName?: string; production?: boolean } = {},
): TableDefinition[] {
  return [
    {
      tableName: options.metadataTableName ?? DEFAULT_METADATA_TABLE_NAME,
      partitionKey: { name: METADATA_ATTRIBUTES.partitionKey, type: "S" },
      sortKey: { name: METADATA_ATTRIBUTES.sortKey, type: "S" },
      billingMode: "PAY_PER_REQUEST",
      timeToLiveAttribute: METADATA_ATTRIBUTES.timeToLive,
      pointInTimeRecovery: options.production ?? false,
      deletionProtection: options.production ?? false,
    },
  ];
}

export function bucketDefinition(bucketName: string = DEFAULT_BUCKET_NAME): BucketDefinition {
  return {
    bucketName,
    versioned: false,
    abortIncompleteMultipartUploadAfterDays: 1,
    blockPublicAccess: true,
    encryption: "S3_MANAGED",
    enforceSsl: true,
  };
}
