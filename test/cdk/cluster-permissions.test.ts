/**
 * What a broker's task role may do, asked of the synthesized IAM policies through a small evaluator
 * (support/iam-policy.ts): its own cluster's items and objects, nothing of another cluster's, no table scans.
 */
import { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { readAppConfig } from "../../cdk/app-config.js";
import { buildStratusApp } from "../../cdk/stratus-app.js";
import {
  brokerTaskRoleId,
  isAllowed,
  type Request,
  render,
  roleStatements,
  type Statement,
} from "./support/iam-policy.js";
import { testApp } from "./support/test-app.js";

const TABLE = "arn:aws:dynamodb:us-east-1:111111111111:table/stratus-metadata";
const OTHER_TABLE = "arn:aws:dynamodb:us-east-1:111111111111:table/someone-elses";
const BUCKET = "arn:aws:s3:::stratus-tier-111111111111-us-east-1";

type Json = ReturnType<Template["toJSON"]>;
let alpha: Json;
let beta: Json;
let alphaBroker: Statement[];
let betaBroker: Statement[];

beforeAll(() => {
  // GIVEN one storage stack shared by two clusters, alpha and beta, with two brokers each
  const app = testApp();
  const config = readAppConfig({ clusters: "alpha,beta", imageUri: "stratus:test" });
  const built = buildStratusApp(app, config);
  alpha = Template.fromStack(built.clusters.get("alpha") ?? built.storage).toJSON();
  beta = Template.fromStack(built.clusters.get("beta") ?? built.storage).toJSON();
  alphaBroker = roleStatements(alpha, brokerTaskRoleId(alpha, "broker-a"));
  betaBroker = roleStatements(beta, brokerTaskRoleId(beta, "broker-b"));
}, 120_000);

const item = (action: string, keys: string[]) => ({
  action,
  resource: TABLE,
  context: { "dynamodb:LeadingKeys": keys },
});

describe("a broker's role in the metadata table", () => {
  it("reads and writes items of its own cluster", () => {
    // WHEN alpha's broker-a works on items whose partition key starts with "alpha/"
    // THEN every item action it needs (transactions included, through ConditionCheckItem) is allowed
    for (const action of [
      "dynamodb:GetItem",
      "dynamodb:Query",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:ConditionCheckItem",
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
    ]) {
      expect(isAllowed(alphaBroker, item(action, ["alpha/topic-config/broker-a"])), action).toBe(true);
    }
  });

  it("cannot touch another cluster's items", () => {
    // WHEN alpha's broker asks for beta's items, and beta's broker for alpha's
    // THEN both are denied, also when one item of a batch is foreign
    for (const action of ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem"]) {
      expect(isAllowed(alphaBroker, item(action, ["beta/topic-config/broker-a"])), action).toBe(false);
      expect(isAllowed(betaBroker, item(action, ["alpha/consumer-offset/broker-a"])), action).toBe(false);
    }
    expect(isAllowed(alphaBroker, item("dynamodb:BatchWriteItem", ["alpha/x", "beta/y"]))).toBe(false);
    // AND a cluster name that merely starts like another one does not match it
    expect(isAllowed(alphaBroker, item("dynamodb:GetItem", ["alphabet/x"]))).toBe(false);
  });

  it("cannot scan, which would bypass the leading-key condition", () => {
    // GIVEN that ForAllValues over a request without leading keys holds (IAM's rule)
    expect(isAllowed(alphaBroker, { action: "dynamodb:GetItem", resource: TABLE })).toBe(true);
    // THEN Scan must simply not be granted
    expect(isAllowed(alphaBroker, { action: "dynamodb:Scan", resource: TABLE })).toBe(false);
    expect(alphaBroker.flatMap((s) => [s.Action].flat()).filter((a) => /scan|\*/i.test(a))).toEqual([]);
  });

  it("may describe its table but touches no other table and cannot change the table itself", () => {
    expect(isAllowed(alphaBroker, { action: "dynamodb:DescribeTable", resource: TABLE })).toBe(true);
    expect(isAllowed(alphaBroker, { ...item("dynamodb:GetItem", ["alpha/x"]), resource: OTHER_TABLE })).toBe(
      false,
    );
    for (const action of [
      "dynamodb:DeleteTable",
      "dynamodb:UpdateTable",
      "dynamodb:UpdateContinuousBackups",
    ]) {
      expect(isAllowed(alphaBroker, { action, resource: TABLE }), action).toBe(false);
    }
  });
});

describe("a broker's role in the tier bucket", () => {
  it("reads, writes and deletes objects under its cluster's prefix", () => {
    for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]) {
      expect(isAllowed(alphaBroker, { action, resource: `${BUCKET}/alpha/broker-a/chunk-1` }), action).toBe(
        true,
      );
    }
  });

  it("cannot read or write another cluster's objects", () => {
    for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
      expect(isAllowed(alphaBroker, { action, resource: `${BUCKET}/beta/broker-a/chunk-1` }), action).toBe(
        false,
      );
      expect(isAllowed(betaBroker, { action, resource: `${BUCKET}/alpha/broker-a/chunk-1` }), action).toBe(
        false,
      );
      expect(isAllowed(alphaBroker, { action, resource: `${BUCKET}/alphabet/x` }), action).toBe(false);
    }
  });

  it("lists only with its own prefix", () => {
    const list = (prefix?: string): Request => ({
      action: "s3:ListBucket",
      resource: BUCKET,
      context: prefix === undefined ? {} : { "s3:prefix": prefix },
    });
    expect(isAllowed(alphaBroker, list("alpha/broker-a/"))).toBe(true);
    expect(isAllowed(alphaBroker, list("beta/"))).toBe(false);
    expect(isAllowed(alphaBroker, list())).toBe(false);
  });

  it("cannot change the bucket's policy, ACLs or lifecycle", () => {
    for (const action of [
      "s3:PutBucketPolicy",
      "s3:PutBucketAcl",
      "s3:PutLifecycleConfiguration",
      "s3:DeleteBucket",
    ]) {
      expect(isAllowed(alphaBroker, { action, resource: BUCKET }), action).toBe(false);
    }
  });
});

describe("the rest of the broker's role", () => {
  it("publishes metrics only into the Stratus namespace", () => {
    const put = (ns: string) => ({
      action: "cloudwatch:PutMetricData",
      resource: "*",
      context: { "cloudwatch:namespace": ns },
    });
    expect(isAllowed(alphaBroker, put("Stratus"))).toBe(true);
    expect(isAllowed(alphaBroker, put("AWS/ECS"))).toBe(false);
  });

  it("grants nothing beyond the statements above", () => {
    const actions = alphaBroker.flatMap((s) => [s.Action].flat()).sort();
    expect(actions).toEqual(
      [
        "cloudwatch:PutMetricData",
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

describe("the NameServer's role", () => {
  it("has no data permissions (NameServers keep routes in memory today)", () => {
    const taskDefs = Object.values(
      alpha.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
    )
      .filter((r) => r.Type === "AWS::ECS::TaskDefinition")
      .filter((r) =>
        JSON.stringify(r.Properties.ContainerDefinitions).includes('"STRATUS_ROLE","Value":"namesrv"'),
      );
    expect(taskDefs).toHaveLength(1);
    const arn = taskDefs[0]?.Properties.TaskRoleArn as { "Fn::GetAtt": [string] } | undefined;
    const roleId = arn?.["Fn::GetAtt"][0] ?? "missing";
    expect(roleStatements(alpha, roleId)).toEqual([]);
  });
});

describe("the policy evaluator", () => {
  it("renders the ARNs the stacks build from pseudo parameters", () => {
    expect(render({ "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":s3:::b"]] })).toBe(
      "arn:aws:s3:::b",
    );
    expect(() => render({ "Fn::ImportValue": "x" })).toThrow(/cannot render/);
  });
});
