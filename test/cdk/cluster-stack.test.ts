import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Token } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as ecs from "aws-cdk-lib/aws-ecs";
import type { CloudAssembly } from "aws-cdk-lib/cx-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAppConfig } from "../../cdk/app-config.js";
import { brokerNames, StratusClusterStack } from "../../cdk/stacks/cluster-stack.js";
import { buildStratusApp } from "../../cdk/stratus-app.js";
import { uploadBacklogEmfLine } from "../../lib/ports/aws/metrics.js";
import { testApp } from "./support/test-app.js";

let outdir: string;
let assembly: CloudAssembly;
let stack: StratusClusterStack;
let template: Template;
let small: Template;

beforeAll(() => {
  // GIVEN the app as `cdk synth` builds it with default context (image built from the Dockerfile) ...
  outdir = mkdtempSync(join(tmpdir(), "stratus-cdk-"));
  const app = testApp({ outdir });
  const built = buildStratusApp(app, readAppConfig({}));
  stack = built.clusters.get("stratus") ?? (built.storage as never);
  // ... and a second cluster with every size prop changed and an S3 Express bucket
  const other = testApp();
  const variant = buildStratusApp(
    other,
    readAppConfig({
      clusters: "edge",
      brokerCount: "1",
      namesrvCount: "3",
      durability: "objectStore",
      brokerCpu: "2048",
      brokerMemoryMiB: "4096",
      brokerStorageGiB: "120",
      drainSeconds: "60",
      logRetentionDays: "7",
      s3ExpressAzId: "use1-az4",
      imageUri: "public.ecr.aws/example/stratus:1",
      clientCidr: "10.20.0.0/16",
    }),
  );
  // WHEN they are synthesized
  assembly = app.synth();
  template = Template.fromStack(stack);
  small = Template.fromStack(variant.clusters.get("edge") ?? (variant.storage as never));
}, 180_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("synthesis", () => {
  it("needs no context lookup and no account or region (environment-agnostic)", () => {
    expect(assembly.manifest.missing ?? []).toEqual([]);
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
    const text = JSON.stringify(template.toJSON()).replace(/[0-9a-f]{64}/g, "<asset-hash>");
    expect(text).not.toMatch(/us-east-1|\d{12}/);
  });

  it("builds the image from broker-fargate/Dockerfile with a context of only the bundle's sources", () => {
    const assets = JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.assets.json`), "utf8"));
    const images = Object.values(assets.dockerImages) as {
      source: { directory: string; dockerFile: string };
    }[];
    expect(images).toHaveLength(1);
    expect(images[0]?.source.dockerFile).toBe("broker-fargate/Dockerfile");
    const staged = join(outdir, images[0]?.source.directory ?? "");
    for (const f of [
      "package-lock.json",
      "broker-fargate/entry.ts",
      "broker-fargate/Dockerfile",
      "lib/broker",
    ]) {
      expect(existsSync(join(staged, f)), f).toBe(true);
    }
    for (const f of ["node_modules", "test", ".git", "cdk", "dist"])
      expect(existsSync(join(staged, f)), f).toBe(false);
  });
});

describe("network and cluster", () => {
  it("creates a VPC over two AZs with one NAT gateway and free gateway endpoints for DynamoDB and S3", () => {
    template.resourceCountIs("AWS::EC2::VPC", 1);
    template.resourceCountIs("AWS::EC2::Subnet", 4);
    template.resourceCountIs("AWS::EC2::NatGateway", 1);
    const endpoints = Object.values(template.findResources("AWS::EC2::VPCEndpoint")).map((r) =>
      JSON.stringify(r.Properties.ServiceName),
    );
    expect(endpoints).toHaveLength(2);
    expect(endpoints.some((s) => s.includes(".dynamodb"))).toBe(true);
    expect(endpoints.some((s) => s.includes(".s3"))).toBe(true);
  });

  it("adds the S3 Express gateway endpoint when the bucket is a directory bucket", () => {
    const endpoints = Object.values(small.findResources("AWS::EC2::VPCEndpoint")).map((r) =>
      JSON.stringify(r.Properties.ServiceName),
    );
    expect(endpoints.some((s) => s.includes(".s3express"))).toBe(true);
  });

  it("creates an ECS cluster with a private DNS namespace for NameServer discovery", () => {
    template.hasResourceProperties("AWS::ECS::Cluster", { ClusterName: "stratus-stratus" });
    template.hasResourceProperties("AWS::ServiceDiscovery::PrivateDnsNamespace", {
      Name: "stratus.stratus.internal",
    });
    template.hasResourceProperties("AWS::ServiceDiscovery::Service", {
      Name: "namesrv",
      DnsConfig: { DnsRecords: [{ Type: "A", TTL: 10 }], RoutingPolicy: "MULTIVALUE" },
    });
  });

  it("keeps logs in one group per cluster with the retention asked for", () => {
    template.hasResourceProperties("AWS::Logs::LogGroup", {
      LogGroupName: "/stratus/stratus",
      RetentionInDays: 30,
    });
    small.hasResourceProperties("AWS::Logs::LogGroup", { LogGroupName: "/stratus/edge", RetentionInDays: 7 });
  });
});

describe("the NameServer fleet", () => {
  it("sits behind an internal network load balancer listening on 9876", () => {
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", {
      Type: "network",
      Scheme: "internal",
      LoadBalancerAttributes: Match.arrayWith([{ Key: "load_balancing.cross_zone.enabled", Value: "true" }]),
    });
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", { Port: 9876, Protocol: "TCP" });
  });

  it("is health-checked over HTTP on the health endpoint", () => {
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", {
      Port: 9876,
      Protocol: "TCP",
      TargetType: "ip",
      HealthCheckProtocol: "HTTP",
      HealthCheckPort: "8080",
      HealthCheckPath: "/health",
    });
  });

  it("runs namesrvCount tasks of the NameServer role", () => {
    const services = template.findResources("AWS::ECS::Service", {
      Properties: { LoadBalancers: Match.anyValue() },
    });
    expect(Object.values(services).map((s) => s.Properties.DesiredCount)).toEqual([2]);
    template.hasResourceProperties("AWS::ECS::TaskDefinition", {
      Cpu: "256",
      Memory: "512",
      ContainerDefinitions: [
        Match.objectLike({
          Environment: Match.arrayWith([
            { Name: "STRATUS_ROLE", Value: "namesrv" },
            { Name: "STRATUS_METADATA_TABLE", Value: "stratus-metadata-stratus" },
          ]),
          PortMappings: [
            { ContainerPort: 9876, Protocol: "tcp" },
            { ContainerPort: 8080, Protocol: "tcp" },
          ],
        }),
      ],
    });
    const variantNamesrv = small.findResources("AWS::ECS::Service", {
      Properties: { LoadBalancers: Match.anyValue() },
    });
    expect(Object.values(variantNamesrv).map((s) => s.Properties.DesiredCount)).toEqual([3]);
  });

  it("accepts 9876 from clients and health checks from the VPC", () => {
    template.hasResourceProperties("AWS::EC2::SecurityGroup", {
      SecurityGroupIngress: Match.arrayWith([
        Match.objectLike({ FromPort: 9876, ToPort: 9876, IpProtocol: "tcp" }),
        Match.objectLike({ FromPort: 8080, ToPort: 8080, IpProtocol: "tcp" }),
      ]),
    });
  });
});

function brokerContainer(t: Template, brokerName: string) {
  const defs = Object.values(t.findResources("AWS::ECS::TaskDefinition")).filter((r) =>
    JSON.stringify(r.Properties.ContainerDefinitions).includes(`"Value":"${brokerName}"`),
  );
  expect(defs).toHaveLength(1);
  return defs[0]?.Properties as {
    Cpu: string;
    Memory: string;
    EphemeralStorage: { SizeInGiB: number };
    ContainerDefinitions: {
      Environment: { Name: string; Value: unknown }[];
      StopTimeout: number;
      HealthCheck: { Command: string[] };
      PortMappings: { ContainerPort: number }[];
      LogConfiguration: { LogDriver: string; Options: Record<string, unknown> };
    }[];
  };
}

describe("the broker fleet", () => {
  it("runs one service per broker name, each exactly one task that is stopped before its replacement starts", () => {
    const services = Object.values(
      template.findResources("AWS::ECS::Service", { Properties: { LoadBalancers: Match.absent() } }),
    );
    expect(services).toHaveLength(2);
    for (const s of services) {
      expect(s.Properties.DesiredCount).toBe(1);
      expect(s.Properties.DeploymentConfiguration).toMatchObject({
        MaximumPercent: 100,
        MinimumHealthyPercent: 0,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      });
      expect(s.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe("DISABLED");
    }
  });

  it("configures each broker through STRATUS_* variables: identity, durability, NameServer discovery, storage", () => {
    const env = Object.fromEntries(
      brokerContainer(template, "broker-b").ContainerDefinitions[0]?.Environment.map((e) => [
        e.Name,
        e.Value,
      ]) ?? [],
    );
    expect(env).toMatchObject({
      STRATUS_ROLE: "broker",
      STRATUS_HEALTH_PORT: "8080",
      STRATUS_DRAIN_MS: "30000",
      STRATUS_NAMESRV_DNS: "namesrv.stratus.stratus.internal:9876",
      STRATUS_CONF_brokerClusterName: "stratus",
      STRATUS_CONF_brokerName: "broker-b",
      STRATUS_CONF_brokerId: "0",
      STRATUS_CONF_listenPort: "10911",
      STRATUS_CONF_flushDiskType: "ASYNC_FLUSH",
      STRATUS_CONF_drainTimeoutMs: "15000",
      STRATUS_METADATA_TABLE: "stratus-metadata-stratus",
    });
    // brokerIP1 is not fixed: the task registers the private IP it finds in the ECS task metadata
    expect(env.STRATUS_CONF_brokerIP1).toBeUndefined();
    expect(JSON.stringify(env.STRATUS_TIER_BUCKET)).toContain("stratus-tier-");
  });

  it("sizes the task, its ephemeral storage and its drain time from props", () => {
    const def = brokerContainer(template, "broker-a");
    expect([def.Cpu, def.Memory, def.EphemeralStorage.SizeInGiB]).toEqual(["1024", "2048", 50]);
    expect(def.ContainerDefinitions[0]?.StopTimeout).toBe(50);
    const big = brokerContainer(small, "broker-a");
    expect([big.Cpu, big.Memory, big.EphemeralStorage.SizeInGiB]).toEqual(["2048", "4096", 120]);
    expect(big.ContainerDefinitions[0]?.StopTimeout).toBe(80);
    const env = big.ContainerDefinitions[0]?.Environment ?? [];
    expect(env).toContainEqual({ Name: "STRATUS_CONF_flushDiskType", Value: "objectStore" });
    expect(env).toContainEqual({ Name: "STRATUS_DRAIN_MS", Value: "60000" });
  });

  it("health-checks the container with the bundle's own probe and logs to the cluster's group", () => {
    const c = brokerContainer(template, "broker-a").ContainerDefinitions[0];
    expect(c?.HealthCheck.Command).toEqual([
      "CMD",
      "/nodejs/bin/node",
      "/app/stratus-fargate.mjs",
      "healthcheck",
    ]);
    expect(c?.PortMappings.map((p) => p.ContainerPort)).toEqual([10911, 10909, 8080]);
    expect(c?.LogConfiguration.LogDriver).toBe("awslogs");
    expect(c?.LogConfiguration.Options["awslogs-stream-prefix"]).toBe("broker-a");
  });

  it("accepts clients on listenPort and the VIP channel only from the allowed CIDR", () => {
    small.hasResourceProperties("AWS::EC2::SecurityGroup", {
      GroupDescription: Match.stringLikeRegexp("Stratus brokers"),
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: "10.20.0.0/16", FromPort: 10911, ToPort: 10911 }),
        Match.objectLike({ CidrIp: "10.20.0.0/16", FromPort: 10909, ToPort: 10909 }),
      ],
    });
  });

  it("uses a prebuilt image when imageUri is given", () => {
    const image = brokerContainer(small, "broker-a").ContainerDefinitions[0] as unknown as { Image: unknown };
    expect(image.Image).toBe("public.ecr.aws/example/stratus:1");
  });

  it("lets an S3 Express broker open sessions on its directory bucket", () => {
    const policies = JSON.stringify(small.findResources("AWS::IAM::Policy"));
    expect(policies).toContain("s3express:CreateSession");
    expect(policies).not.toContain("s3:GetObject");
  });
});

describe("alarms", () => {
  it("alarm when a broker has no running task (missing data breaches)", () => {
    for (const broker of ["broker-a", "broker-b"]) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        AlarmDescription: `Stratus stratus: broker ${broker} has no running task`,
        Namespace: "AWS/ECS",
        MetricName: "CPUUtilization",
        Statistic: "SampleCount",
        ComparisonOperator: "LessThanThreshold",
        Threshold: 1,
        TreatMissingData: "breaching",
        AlarmActions: [Match.anyValue()],
      });
    }
  });

  it("alarm on each broker's upload backlog metric", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "Stratus",
      MetricName: "TierUploadBacklogBytes",
      Dimensions: Match.arrayWith([{ Name: "BrokerName", Value: "broker-a" }]),
      Threshold: 1024 ** 3,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
    });
  });

  it("alarm on exactly the metric and dimensions the broker task's EMF line declares", () => {
    // GIVEN the line broker-b of cluster "stratus" writes (broker-fargate/backlog-metric.ts)
    const line = JSON.parse(
      uploadBacklogEmfLine({
        clusterName: "stratus",
        brokerName: "broker-b",
        backlogBytes: 7,
        timestampMs: 1,
      }),
    );
    const [declared] = line._aws.CloudWatchMetrics;
    const [dimensionSet] = declared.Dimensions as string[][];
    // THEN an alarm watches that namespace and metric name with exactly the line's dimensions (in any order)
    const alarms = template.findResources("AWS::CloudWatch::Alarm", {
      Properties: { Namespace: declared.Namespace, MetricName: declared.Metrics[0].Name },
    });
    const byName = (a: { Name: string }, b: { Name: string }) => a.Name.localeCompare(b.Name);
    const dimensions = Object.values(alarms).map((a) => [...a.Properties.Dimensions].sort(byName));
    const expected = (dimensionSet ?? []).map((name) => ({ Name: name, Value: line[name] })).sort(byName);
    expect(dimensions).toContainEqual(expected);
  });

  it("alarm when fewer NameServers are healthy than desired", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/NetworkELB",
      MetricName: "HealthyHostCount",
      Threshold: 2,
      ComparisonOperator: "LessThanThreshold",
    });
    template.resourceCountIs("AWS::CloudWatch::Alarm", 5);
  });
});

describe("props", () => {
  it("names brokers broker-a, broker-b, ... and refuses counts outside 1..26", () => {
    expect(brokerNames(3)).toEqual(["broker-a", "broker-b", "broker-c"]);
    expect(brokerNames(26).at(-1)).toBe("broker-z");
    expect(() => brokerNames(0)).toThrow(/brokerCount/);
    expect(() => brokerNames(27)).toThrow(/brokerCount/);
  });

  it("refuses the storage of another cluster", () => {
    const app = testApp();
    const storage = { clusterName: "a", tableName: "t-a", bucketName: "b", bucketKind: "standard" as const };
    const image = ecs.ContainerImage.fromRegistry("x");
    expect(
      () => new StratusClusterStack(app, "X", { clusterName: "b", brokerCount: 1, storage, image }),
    ).toThrow(/was given the storage of cluster 'a'/);
  });

  it("refuses a drain that cannot fit in Fargate's 120 s stop timeout", () => {
    expect(() => buildStratusApp(testApp(), readAppConfig({ drainSeconds: 101, imageUri: "x" }))).toThrow(
      /drainSeconds must be 0..100/,
    );
  });

  it("looks up an existing VPC only when vpcId is given, and then needs an account and region", () => {
    expect(() => buildStratusApp(testApp(), readAppConfig({ vpcId: "vpc-0abc", imageUri: "x" }))).toThrow(
      /needs an account and region/,
    );
  });
});
