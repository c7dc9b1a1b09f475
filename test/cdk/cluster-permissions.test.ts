/**
 * What each task role may do, asked of the synthesized IAM policies through a small evaluator
 * (support/iam-policy.ts). Two clusters, alpha and beta, share one storage stack: each has its own table, both
 * use one tier bucket. A broker reaches its own partitions of its own cluster's table and its own chunks; a
 * NameServer the route, lease and KV partitions of its cluster's table; nobody scans.
 */
import { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { readAppConfig } from "../../cdk/app-config.js";
import { buildStratusApp } from "../../cdk/stratus-app.js";
import { metadataKeyPart } from "../../lib/ports/metadata-store.js";
import {
  subscriptionGroupKey,
  topicConfigKey,
  topicRouteKey,
} from "../../lib/ports/records/broker-configs.js";
import { brokerLeaseKey } from "../../lib/ports/records/broker-leases.js";
import { consumerOffsetKey } from "../../lib/ports/records/consumer-offsets.js";
import { tierChunkKey } from "../../lib/ports/records/tier-manifest.js";
import { chunkObjectKey } from "../../lib/tier/object-keys.js";
import {
  isAllowed,
  type Request,
  render,
  roleStatements,
  type Statement,
  type TemplateJson,
} from "./support/iam-policy.js";
import { testApp } from "./support/test-app.js";

const ARN = "arn:aws:dynamodb:us-east-1:111111111111:table/";
const ALPHA_TABLE = `${ARN}stratus-metadata-alpha`;
const BETA_TABLE = `${ARN}stratus-metadata-beta`;
const BUCKET = "arn:aws:s3:::stratus-tier-111111111111-us-east-1";

let alpha: TemplateJson;
let alphaBrokerA: Statement[];
let alphaNamesrv: Statement[];
let betaBrokerA: Statement[];

type Resource = { Type: string; Properties: Record<string, unknown> };

/** The task role of the task definition whose container environment has `name` = `value`. */
function taskRoleStatements(template: TemplateJson, name: string, value: string): Statement[] {
  const defs = Object.values(template.Resources as Record<string, Resource>).filter(
    (r) =>
      r.Type === "AWS::ECS::TaskDefinition" &&
      JSON.stringify(r.Properties.ContainerDefinitions).includes(`{"Name":"${name}","Value":"${value}"}`),
  );
  if (defs.length !== 1) throw new Error(`${defs.length} task definitions with ${name}=${value}`);
  const arn = defs[0]?.Properties.TaskRoleArn as { "Fn::GetAtt": [string, string] };
  return roleStatements(template, arn["Fn::GetAtt"][0]);
}

beforeAll(() => {
  // GIVEN one storage stack shared by two clusters, alpha and beta, with two brokers each
  const app = testApp();
  const built = buildStratusApp(app, readAppConfig({ clusters: "alpha,beta", imageUri: "stratus:test" }));
  alpha = Template.fromStack(built.clusters.get("alpha") ?? built.storage).toJSON();
  const beta = Template.fromStack(built.clusters.get("beta") ?? built.storage).toJSON();
  alphaBrokerA = taskRoleStatements(alpha, "STRATUS_CONF_brokerName", "broker-a");
  alphaNamesrv = taskRoleStatements(alpha, "STRATUS_ROLE", "namesrv");
  betaBrokerA = taskRoleStatements(beta, "STRATUS_CONF_brokerName", "broker-a");
}, 120_000);

const item = (action: string, table: string, ...pks: string[]): Request => ({
  action,
  resource: table,
  context: { "dynamodb:LeadingKeys": pks },
});

/** Partition keys exactly as the record helpers build them. */
const brokerAKeys = [
  topicConfigKey("broker-a", "T").pk,
  subscriptionGroupKey("broker-a", "G").pk,
  consumerOffsetKey("broker-a", "G", "T", 0).pk,
  tierChunkKey("broker-a", 0).pk,
];
const WRITE_AND_READ = [
  "dynamodb:GetItem",
  "dynamodb:Query",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:ConditionCheckItem",
  "dynamodb:BatchGetItem",
  "dynamodb:BatchWriteItem",
];

describe("a broker's role in the metadata tables", () => {
  it("reads and writes its own partitions of its cluster's table", () => {
    // WHEN alpha's broker-a works on its topic configs, groups, offsets and tier manifest
    // THEN every item action it needs (transactions included, through ConditionCheckItem) is allowed
    for (const action of WRITE_AND_READ) {
      for (const pk of brokerAKeys)
        expect(isAllowed(alphaBrokerA, item(action, ALPHA_TABLE, pk)), `${action} ${pk}`).toBe(true);
    }
    expect(isAllowed(alphaBrokerA, item("dynamodb:BatchWriteItem", ALPHA_TABLE, ...brokerAKeys))).toBe(true);
  });

  it("cannot touch another cluster's items, even those of a broker with the same name", () => {
    for (const action of WRITE_AND_READ) {
      for (const pk of brokerAKeys) {
        expect(isAllowed(alphaBrokerA, item(action, BETA_TABLE, pk)), `${action} ${pk}`).toBe(false);
        expect(isAllowed(betaBrokerA, item(action, ALPHA_TABLE, pk)), `${action} ${pk}`).toBe(false);
      }
    }
    expect(isAllowed(alphaBrokerA, { action: "dynamodb:DescribeTable", resource: BETA_TABLE })).toBe(false);
  });

  it("cannot touch another broker's partitions or the NameServers' in its own table", () => {
    const others = [
      topicConfigKey("broker-b", "T").pk,
      consumerOffsetKey("broker-b", "G", "T", 0).pk,
      brokerLeaseKey("alpha", "broker-a", 0).pk,
      topicRouteKey("T", "broker-a").pk,
      `topic-config/${metadataKeyPart("broker-a")}x`,
    ];
    for (const pk of others)
      expect(isAllowed(alphaBrokerA, item("dynamodb:PutItem", ALPHA_TABLE, pk)), pk).toBe(false);
    // AND one foreign key spoils a whole batch
    expect(
      isAllowed(
        alphaBrokerA,
        item("dynamodb:BatchWriteItem", ALPHA_TABLE, brokerAKeys[0] ?? "", others[0] ?? ""),
      ),
    ).toBe(false);
  });

  it("cannot scan, which would bypass the leading-key condition", () => {
    // GIVEN that ForAllValues over a request without leading keys holds (IAM's rule)
    expect(isAllowed(alphaBrokerA, { action: "dynamodb:GetItem", resource: ALPHA_TABLE })).toBe(true);
    // THEN Scan must simply not be granted, to any role
    for (const role of [alphaBrokerA, alphaNamesrv]) {
      expect(isAllowed(role, { action: "dynamodb:Scan", resource: ALPHA_TABLE })).toBe(false);
      expect(role.flatMap((s) => [s.Action].flat()).filter((a) => /scan|\*/i.test(a))).toEqual([]);
    }
  });

  it("may describe its table but cannot change or delete it", () => {
    expect(isAllowed(alphaBrokerA, { action: "dynamodb:DescribeTable", resource: ALPHA_TABLE })).toBe(true);
    for (const action of [
      "dynamodb:DeleteTable",
      "dynamodb:UpdateTable",
      "dynamodb:UpdateContinuousBackups",
    ]) {
      expect(isAllowed(alphaBrokerA, { action, resource: ALPHA_TABLE }), action).toBe(false);
    }
  });
});

describe("a NameServer's role", () => {
  it("reads and writes leases, routes, its topic index and the KV table of its cluster", () => {
    const keys = [
      brokerLeaseKey("alpha", "broker-a", 0).pk,
      topicRouteKey("T", "broker-a").pk,
      "namesrv-broker-topics/broker-a",
      "namesrv-kv/ORDER_TOPIC_CONFIG",
      "namesrv-kv-namespaces",
    ];
    for (const action of WRITE_AND_READ) {
      for (const pk of keys)
        expect(isAllowed(alphaNamesrv, item(action, ALPHA_TABLE, pk)), `${action} ${pk}`).toBe(true);
    }
  });

  it("cannot touch brokers' partitions or another cluster's table", () => {
    for (const pk of brokerAKeys)
      expect(isAllowed(alphaNamesrv, item("dynamodb:GetItem", ALPHA_TABLE, pk)), pk).toBe(false);
    expect(isAllowed(alphaNamesrv, item("dynamodb:GetItem", BETA_TABLE, "broker-lease"))).toBe(false);
  });

  it("has nothing in the bucket", () => {
    expect(
      isAllowed(alphaNamesrv, {
        action: "s3:GetObject",
        resource: `${BUCKET}/${chunkObjectKey("alpha", "broker-a", 0, 1)}`,
      }),
    ).toBe(false);
  });
});

describe("a broker's role in the tier bucket", () => {
  const chunk = (cluster: string, broker: string) =>
    `${BUCKET}/${chunkObjectKey(cluster, broker, 4096, 8192)}`;

  it("reads, writes and deletes its own chunks, at the keys the tier code builds", () => {
    for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]) {
      expect(isAllowed(alphaBrokerA, { action, resource: chunk("alpha", "broker-a") }), action).toBe(true);
    }
  });

  it("cannot read or write another cluster's or another broker's chunks", () => {
    for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
      expect(isAllowed(alphaBrokerA, { action, resource: chunk("beta", "broker-a") }), action).toBe(false);
      expect(isAllowed(betaBrokerA, { action, resource: chunk("alpha", "broker-a") }), action).toBe(false);
      expect(isAllowed(alphaBrokerA, { action, resource: chunk("alpha", "broker-b") }), action).toBe(false);
      expect(
        isAllowed(alphaBrokerA, { action, resource: `${BUCKET}/tier/abcde/alpha/broker-a/x` }),
        action,
      ).toBe(false);
      expect(isAllowed(alphaBrokerA, { action, resource: `${BUCKET}/other/alpha/broker-a/x` }), action).toBe(
        false,
      );
    }
  });

  it("may check the bucket exists and list its own chunks, but list no other prefix", () => {
    const list = (prefix?: string): Request => ({
      action: "s3:ListBucket",
      resource: BUCKET,
      context: prefix === undefined ? {} : { "s3:prefix": prefix },
    });
    expect(isAllowed(alphaBrokerA, list())).toBe(true); // HeadBucket
    expect(isAllowed(alphaBrokerA, list("tier/0a1b/alpha/broker-a/"))).toBe(true);
    expect(isAllowed(alphaBrokerA, list("tier/"))).toBe(false);
    expect(isAllowed(alphaBrokerA, list("tier/0a1b/beta/broker-a/"))).toBe(false);
  });

  it("cannot change the bucket's policy, ACLs or lifecycle", () => {
    for (const action of [
      "s3:PutBucketPolicy",
      "s3:PutBucketAcl",
      "s3:PutLifecycleConfiguration",
      "s3:DeleteBucket",
    ]) {
      expect(isAllowed(alphaBrokerA, { action, resource: BUCKET }), action).toBe(false);
    }
  });
});

describe("the rest of the broker's role", () => {
  it("cannot call PutMetricData: its metric reaches CloudWatch as an EMF log line through awslogs", () => {
    const put = (ns: string): Request => ({
      action: "cloudwatch:PutMetricData",
      resource: "*",
      context: { "cloudwatch:namespace": ns },
    });
    expect(isAllowed(alphaBrokerA, put("Stratus"))).toBe(false);
    expect(isAllowed(alphaBrokerA, put("AWS/ECS"))).toBe(false);
  });

  it("grants nothing beyond the statements above", () => {
    const actions = alphaBrokerA.flatMap((s) => [s.Action].flat()).sort();
    expect(actions).toEqual(
      [
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:DeleteItem",
        "dynamodb:DescribeTable",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
        "s3:AbortMultipartUpload",
        "s3:DeleteObject",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:ListMultipartUploadParts",
        "s3:PutObject",
      ].sort(),
    );
  });
});

describe("the policy evaluator", () => {
  it("renders the ARNs the stacks build from pseudo parameters and refuses what it cannot", () => {
    expect(render({ "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":s3:::b"]] })).toBe(
      "arn:aws:s3:::b",
    );
    expect(() => render({ "Fn::ImportValue": "x" })).toThrow(/cannot render/);
  });

  it("applies IAM's rules for missing condition keys", () => {
    const s = (op: string): Statement[] => [
      { Effect: "Allow", Action: "x:Y", Resource: "*", Condition: { [op]: { "k:v": ["a*"] } } },
    ];
    const bare = { action: "x:Y", resource: "r" };
    expect(isAllowed(s("StringLike"), bare)).toBe(false);
    expect(isAllowed(s("StringLikeIfExists"), bare)).toBe(true);
    expect(isAllowed(s("ForAllValues:StringLike"), bare)).toBe(true);
    expect(isAllowed(s("ForAllValues:StringLike"), { ...bare, context: { "k:v": ["ab", "b"] } })).toBe(false);
  });
});
