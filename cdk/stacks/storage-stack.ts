/**
 * The long-lived state: one metadata table per cluster ("<tableBaseName>-<cluster>", see key-scope.ts for why)
 * and one tier bucket shared by the clusters (each broker reaches only its own chunks). Both are retained when
 * the stack is deleted and the tables have deletion protection, so compute stacks can be torn down and rebuilt
 * freely. Cluster stacks find them by physical name (`storageFor`), not by cross-stack export.
 */
import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { DEFAULT_METADATA_TABLE_NAME } from "../../lib/ports/aws/definitions.js";
import { TIER_KEY_PREFIX } from "../../lib/tier/object-keys.js";
import type { ClusterStorage } from "../constructs/cluster-access.js";
import { clusterTableName } from "../constructs/key-scope.js";
import { MetadataTable } from "../constructs/metadata-table.js";
import { TierBucket } from "../constructs/tier-bucket.js";

export interface StratusStorageStackProps extends StackProps {
  /** One metadata table per cluster name. */
  readonly clusters: readonly string[];
  /** Tables are named "<tableBaseName>-<cluster>" (default "stratus-metadata"). */
  readonly tableBaseName?: string;
  readonly pointInTimeRecovery?: boolean;
  readonly deletionProtection?: boolean;
  readonly bucketBaseName?: string;
  /**
   * Days after which S3 deletes tier chunks, as a backstop behind the brokers' own tier retention (which deletes
   * through the manifest): keep it longer than that retention (default 30).
   */
  readonly tierExpireAfterDays?: number;
  /** Days before chunks move to Standard-IA (standard bucket only; omitted = never). */
  readonly infrequentAccessAfterDays?: number;
  /** S3 Express One Zone directory bucket in this AZ id instead of a standard bucket. */
  readonly expressAvailabilityZoneId?: string;
}

export const DEFAULT_TIER_EXPIRE_AFTER_DAYS = 30;

export class StratusStorageStack extends Stack {
  private readonly tables = new Map<string, string>();
  readonly bucket: TierBucket;

  constructor(scope: Construct, id: string, props: StratusStorageStackProps) {
    super(scope, id, props);
    for (const clusterName of props.clusters) {
      const table = new MetadataTable(this, `Metadata-${clusterName}`, {
        tableName: clusterTableName(props.tableBaseName ?? DEFAULT_METADATA_TABLE_NAME, clusterName),
        pointInTimeRecovery: props.pointInTimeRecovery,
        deletionProtection: props.deletionProtection,
      });
      this.tables.set(clusterName, table.tableName);
      new CfnOutput(this, `MetadataTable-${clusterName}`, { value: table.tableName });
    }
    this.bucket = new TierBucket(this, "Tier", {
      baseName: props.bucketBaseName,
      expressAvailabilityZoneId: props.expressAvailabilityZoneId,
      lifecycle: [
        {
          prefix: TIER_KEY_PREFIX,
          expireAfterDays: props.tierExpireAfterDays ?? DEFAULT_TIER_EXPIRE_AFTER_DAYS,
          infrequentAccessAfterDays: props.infrequentAccessAfterDays,
        },
      ],
    });
    new CfnOutput(this, "TierBucketName", { value: this.bucket.bucketName });
  }

  /** What the cluster stack of `clusterName` needs to find its storage. */
  storageFor(clusterName: string): ClusterStorage {
    const tableName = this.tables.get(clusterName);
    if (tableName === undefined)
      throw new Error(`the storage stack has no table for cluster '${clusterName}'`);
    return { clusterName, tableName, bucketName: this.bucket.bucketName, bucketKind: this.bucket.kind };
  }
}
