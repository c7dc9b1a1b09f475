import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { StratusStorageStack } from "../../cdk/stacks/storage-stack.js";
import { METADATA_ATTRIBUTES } from "../../lib/ports/aws/definitions.js";
import { testApp } from "./support/test-app.js";

let standard: Template;
let express: Template;
let unprotected: Template;
let storageOf: (cluster: string) => ReturnType<StratusStorageStack["storageFor"]>;

beforeAll(() => {
  // GIVEN one app with the default storage, an S3 Express variant and one with protections turned off
  const app = testApp();
  const stacks = [
    new StratusStorageStack(app, "Standard", {
      clusters: ["prod", "dev"],
      tierExpireAfterDays: 90,
      infrequentAccessAfterDays: 30,
    }),
    new StratusStorageStack(app, "Express", {
      clusters: ["prod"],
      tierExpireAfterDays: 3,
      expressAvailabilityZoneId: "use1-az4",
      tableBaseName: "stratus-express",
    }),
    new StratusStorageStack(app, "Unprotected", {
      clusters: ["scratch"],
      deletionProtection: false,
      pointInTimeRecovery: false,
    }),
  ];
  storageOf = (cluster) => (stacks[0] as StratusStorageStack).storageFor(cluster);
  // WHEN it is synthesized once (every stack built before the first synth)
  [standard, express, unprotected] = stacks.map((s) => Template.fromStack(s)) as [
    Template,
    Template,
    Template,
  ];
}, 120_000);

describe("the metadata table", () => {
  it("is one table per cluster, named after it", () => {
    const names = Object.values(standard.findResources("AWS::DynamoDB::GlobalTable")).map(
      (r) => r.Properties.TableName,
    );
    expect(names.sort()).toEqual(["stratus-metadata-dev", "stratus-metadata-prod"]);
    expect(storageOf("dev").tableName).toBe("stratus-metadata-dev");
    expect(() => storageOf("qa")).toThrow(/no table for cluster 'qa'/);
    express.hasResourceProperties("AWS::DynamoDB::GlobalTable", { TableName: "stratus-express-prod" });
  });

  it("has the key schema and TTL attribute of definitions.ts, on-demand", () => {
    // THEN each table is keyed exactly as the DynamoDB MetadataStore reads it
    standard.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      TableName: "stratus-metadata-prod",
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [
        { AttributeName: METADATA_ATTRIBUTES.partitionKey, KeyType: "HASH" },
        { AttributeName: METADATA_ATTRIBUTES.sortKey, KeyType: "RANGE" },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: METADATA_ATTRIBUTES.partitionKey, AttributeType: "S" },
        { AttributeName: METADATA_ATTRIBUTES.sortKey, AttributeType: "S" },
      ]),
      TimeToLiveSpecification: { AttributeName: METADATA_ATTRIBUTES.timeToLive, Enabled: true },
    });
  });

  it("has point-in-time recovery and deletion protection by default, and is retained", () => {
    standard.hasResource("AWS::DynamoDB::GlobalTable", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: Match.objectLike({
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        ],
      }),
    });
  });

  it("lets both protections be turned off explicitly", () => {
    unprotected.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
          DeletionProtectionEnabled: false,
        }),
      ],
    });
  });
});

describe("the standard tier bucket", () => {
  it("is encrypted, blocks every kind of public access and is retained", () => {
    standard.hasResource("AWS::S3::Bucket", {
      DeletionPolicy: "Retain",
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
      }),
    });
  });

  it("refuses requests without TLS", () => {
    standard.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Action: "s3:*",
            Principal: { AWS: "*" },
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
        ]),
      },
    });
  });

  it("expires tier chunks by prefix and age, moves them to Standard-IA when asked, and aborts stale uploads", () => {
    const rules = Object.values(standard.findResources("AWS::S3::Bucket"))[0]?.Properties
      .LifecycleConfiguration.Rules as Record<string, unknown>[];
    expect(rules).toEqual([
      {
        Id: "abort-incomplete-multipart-uploads",
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Status: "Enabled",
      },
      {
        Id: "expire-tier",
        Prefix: "tier/",
        ExpirationInDays: 90,
        Transitions: [{ StorageClass: "STANDARD_IA", TransitionInDays: 30 }],
        Status: "Enabled",
      },
    ]);
  });

  it("is named per account and region so the name is unique without a lookup", () => {
    const name = Object.values(standard.findResources("AWS::S3::Bucket"))[0]?.Properties.BucketName;
    expect(JSON.stringify(name)).toContain('"AWS::AccountId"');
    expect(JSON.stringify(name)).toContain('"AWS::Region"');
  });
});

describe("the S3 Express One Zone variant", () => {
  it("is a single-AZ directory bucket, SSE-S3, with lifecycle expiry by prefix and no standard bucket", () => {
    express.resourceCountIs("AWS::S3::Bucket", 0);
    express.hasResource("AWS::S3Express::DirectoryBucket", {
      DeletionPolicy: "Retain",
      Properties: {
        BucketName: Match.anyValue(),
        DataRedundancy: "SingleAvailabilityZone",
        LocationName: "use1-az4",
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
        },
        LifecycleConfiguration: {
          Rules: [
            {
              Id: "abort-incomplete-multipart-uploads",
              Status: "Enabled",
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            },
            { Id: "expire-tier", Status: "Enabled", Prefix: "tier/", ExpirationInDays: 3 },
          ],
        },
      },
    });
    const name = JSON.stringify(
      Object.values(express.findResources("AWS::S3Express::DirectoryBucket"))[0]?.Properties.BucketName,
    );
    expect(name).toMatch(/--use1-az4--x-s3"/);
  });

  it("refuses what a directory bucket cannot do", () => {
    const app = testApp();
    expect(
      () =>
        new StratusStorageStack(app, "Bad1", {
          clusters: ["p"],
          infrequentAccessAfterDays: 30,
          tierExpireAfterDays: 60,
          expressAvailabilityZoneId: "use1-az4",
        }),
    ).toThrow(/no storage-class transitions/);
    expect(
      () => new StratusStorageStack(app, "Bad2", { clusters: [], expressAvailabilityZoneId: "us-east-1a" }),
    ).toThrow(/not an Availability Zone id/);
  });
});

describe("storage props", () => {
  it("refuses a transition to Standard-IA before 30 days or after expiry", () => {
    const app = testApp();
    expect(
      () =>
        new StratusStorageStack(app, "Ia1", {
          clusters: ["p"],
          infrequentAccessAfterDays: 10,
          tierExpireAfterDays: 60,
        }),
    ).toThrow(/infrequentAccessAfterDays must be >= 30/);
    expect(
      () =>
        new StratusStorageStack(app, "Ia2", {
          clusters: ["p"],
          infrequentAccessAfterDays: 30,
          tierExpireAfterDays: 20,
        }),
    ).toThrow(/< expireAfterDays/);
  });

  it("refuses a cluster name that cannot be a table name suffix and a DNS label", () => {
    expect(() => new StratusStorageStack(testApp(), "Bad", { clusters: ["Prod_1"] })).toThrow(
      /cluster name 'Prod_1'/,
    );
  });
});
