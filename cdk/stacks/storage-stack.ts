/**
 * The long-lived state: the metadata table and the tier bucket. Both are retained when the stack is deleted and
 * the table has deletion protection, so compute stacks can be torn down and rebuilt freely. Cluster stacks find
 * them by physical name (`names`), not by cross-stack export, so either side can change without the other.
 */
import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { objectKeyPrefix } from "../constructs/cluster-scope.js";
import { MetadataTable } from "../constructs/metadata-table.js";
import { TierBucket, type TierBucketKind } from "../constructs/tier-bucket.js";

export interface ClusterRetention {
  readonly clusterName: string;
  /** Days a tiered chunk is kept in the bucket (default 7). */
  readonly retentionDays?: number;
  /** Days before a chunk moves to Standard-IA (standard bucket only; omitted = never). */
  readonly infrequentAccessAfterDays?: number;
}

export interface StratusStorageStackProps extends StackProps {
  readonly tableName?: string;
  readonly pointInTimeRecovery?: boolean;
  readonly deletionProtection?: boolean;
  readonly bucketBaseName?: string;
  /** One lifecycle rule per cluster prefix. */
  readonly clusters: readonly ClusterRetention[];
  /** S3 Express One Zone directory bucket in this AZ id instead of a standard bucket. */
  readonly expressAvailabilityZoneId?: string;
}

/** What a cluster stack needs to find the storage. */
export interface StorageNames {
  readonly tableName: string;
  readonly bucketName: string;
  readonly bucketKind: TierBucketKind;
}

export const DEFAULT_RETENTION_DAYS = 7;

export class StratusStorageStack extends Stack {
  readonly names: StorageNames;

  constructor(scope: Construct, id: string, props: StratusStorageStackProps) {
    super(scope, id, props);
    const table = new MetadataTable(this, "Metadata", {
      tableName: props.tableName,
      pointInTimeRecovery: props.pointInTimeRecovery,
      deletionProtection: props.deletionProtection,
    });
    const bucket = new TierBucket(this, "Tier", {
      baseName: props.bucketBaseName,
      expressAvailabilityZoneId: props.expressAvailabilityZoneId,
      lifecycle: props.clusters.map((c) => ({
        prefix: objectKeyPrefix(c.clusterName),
        expireAfterDays: c.retentionDays ?? DEFAULT_RETENTION_DAYS,
        infrequentAccessAfterDays: c.infrequentAccessAfterDays,
      })),
    });
    this.names = { tableName: table.tableName, bucketName: bucket.bucketName, bucketKind: bucket.kind };
    new CfnOutput(this, "MetadataTableName", { value: table.tableName });
    new CfnOutput(this, "TierBucketName", { value: bucket.bucketName });
  }
}
