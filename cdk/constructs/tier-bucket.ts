/**
 * The bucket tiered CommitLog data goes to: encrypted, never public, TLS only, lifecycle rules by prefix and age
 * (each cluster's prefix expires after its retention and may move to Infrequent Access first; multipart uploads a
 * crashed broker left behind are aborted). Base settings come from lib/ports/aws/definitions.ts.
 *
 * The S3 Express One Zone variant is a directory bucket in one Availability Zone (lower latency, single-AZ
 * durability): always private and SSE-S3 encrypted, lifecycle expiry by prefix, no storage-class transitions.
 * IAM cannot scope a directory bucket by key prefix (access goes through s3express:CreateSession on the whole
 * bucket), so with it, give each cluster its own storage stack.
 */
import { Aws, Duration, RemovalPolicy } from "aws-cdk-lib";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3express from "aws-cdk-lib/aws-s3express";
import { Construct } from "constructs";
import { bucketDefinition } from "../../lib/ports/aws/definitions.js";

export interface PrefixLifecycle {
  /** Key prefix the rule applies to, e.g. "prod/" (a cluster's objects). */
  readonly prefix: string;
  /** Delete objects this many days after they were written. */
  readonly expireAfterDays: number;
  /** Move objects to S3 Standard-IA after this many days (at least 30; standard buckets only). */
  readonly infrequentAccessAfterDays?: number;
}

export interface TierBucketProps {
  /** Physical bucket name base; the account id is appended so the name is unique (default "stratus-tier"). */
  readonly baseName?: string;
  readonly lifecycle?: readonly PrefixLifecycle[];
  /** Build an S3 Express One Zone directory bucket in this Availability Zone id (e.g. "use1-az4") instead. */
  readonly expressAvailabilityZoneId?: string;
}

export type TierBucketKind = "standard" | "express";

const AZ_ID = /^[a-z]{2,4}[0-9]-az[0-9]{1,2}$/;

export class TierBucket extends Construct {
  readonly kind: TierBucketKind;
  /** Physical name (contains the account id token). */
  readonly bucketName: string;
  readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: TierBucketProps = {}) {
    super(scope, id);
    const base = props.baseName ?? bucketDefinition().bucketName;
    const lifecycle = props.lifecycle ?? [];
    for (const rule of lifecycle) checkRule(rule, props.expressAvailabilityZoneId !== undefined);
    if (props.expressAvailabilityZoneId !== undefined) {
      const az = props.expressAvailabilityZoneId;
      if (!AZ_ID.test(az)) throw new Error(`'${az}' is not an Availability Zone id like use1-az4`);
      this.kind = "express";
      this.bucketName = `${base}-${Aws.ACCOUNT_ID}--${az}--x-s3`;
      const bucket = new s3express.CfnDirectoryBucket(this, "DirectoryBucket", {
        bucketName: this.bucketName,
        dataRedundancy: "SingleAvailabilityZone",
        locationName: az,
        bucketEncryption: {
          serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        },
        lifecycleConfiguration: { rules: expressRules(lifecycle) },
      });
      bucket.applyRemovalPolicy(RemovalPolicy.RETAIN);
      this.bucketArn = bucket.attrArn;
      return;
    }
    const def = bucketDefinition(`${base}-${Aws.ACCOUNT_ID}-${Aws.REGION}`);
    this.kind = "standard";
    const bucket = new s3.Bucket(this, "Bucket", {
      bucketName: def.bucketName,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: def.enforceSsl,
      versioned: def.versioned,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: standardRules(lifecycle, def.abortIncompleteMultipartUploadAfterDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucketName = def.bucketName;
    this.bucketArn = bucket.bucketArn;
  }
}

function checkRule(rule: PrefixLifecycle, express: boolean): void {
  if (rule.prefix === "" || !rule.prefix.endsWith("/")) {
    throw new Error(`lifecycle prefix '${rule.prefix}' must be non-empty and end with '/'`);
  }
  if (!Number.isInteger(rule.expireAfterDays) || rule.expireAfterDays < 1) {
    throw new Error(`lifecycle for '${rule.prefix}': expireAfterDays must be a positive integer`);
  }
  const ia = rule.infrequentAccessAfterDays;
  if (ia === undefined) return;
  if (express) throw new Error("S3 Express One Zone buckets have no storage-class transitions");
  if (!Number.isInteger(ia) || ia < 30 || ia >= rule.expireAfterDays) {
    throw new Error(
      `lifecycle for '${rule.prefix}': infrequentAccessAfterDays must be >= 30 and < expireAfterDays`,
    );
  }
}

function standardRules(lifecycle: readonly PrefixLifecycle[], abortDays: number): s3.LifecycleRule[] {
  return [
    {
      id: "abort-incomplete-multipart-uploads",
      abortIncompleteMultipartUploadAfter: Duration.days(abortDays),
    },
    ...lifecycle.map((rule) => ({
      id: `expire-${rule.prefix.replace(/\/$/, "")}`,
      prefix: rule.prefix,
      expiration: Duration.days(rule.expireAfterDays),
      transitions:
        rule.infrequentAccessAfterDays === undefined
          ? undefined
          : [
              {
                storageClass: s3.StorageClass.INFREQUENT_ACCESS,
                transitionAfter: Duration.days(rule.infrequentAccessAfterDays),
              },
            ],
    })),
  ];
}

function expressRules(lifecycle: readonly PrefixLifecycle[]) {
  return [
    {
      id: "abort-incomplete-multipart-uploads",
      status: "Enabled",
      abortIncompleteMultipartUpload: {
        daysAfterInitiation: bucketDefinition().abortIncompleteMultipartUploadAfterDays,
      },
    },
    ...lifecycle.map((rule) => ({
      id: `expire-${rule.prefix.replace(/\/$/, "")}`,
      status: "Enabled",
      prefix: rule.prefix,
      expirationInDays: rule.expireAfterDays,
    })),
  ];
}
