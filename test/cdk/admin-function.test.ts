/**
 * The cluster-info admin function as deployed: its Lambda settings in the template, and the very bundle `cdk synth`
 * produced (esbuild, no Docker) loaded and invoked against a local NameServer with a registered broker.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Match, Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAppConfig } from "../../cdk/app-config.js";
import { buildStratusApp } from "../../cdk/stratus-app.js";
import type { HttpEvent, HttpResult } from "../../functions/cluster-info/cluster-info.js";
import { buildBrokerConfig } from "../../lib/broker/broker-config.js";
import type { BrokerController } from "../../lib/broker/broker-controller.js";
import { startBroker } from "../../lib/cli/run-broker.js";
import { NameServer } from "../../lib/namesrv/namesrv.js";
import { findFreePorts } from "../support/ports.js";
import { testApp } from "./support/test-app.js";

let dir: string;
let template: Template;
let noAdmin: Template;
let bundleDir: string;

beforeAll(() => {
  // GIVEN the default cluster (admin function on) and one with adminFunction=false, synthesized to a directory
  dir = mkdtempSync(join(tmpdir(), "stratus-admin-"));
  const app = testApp({ outdir: join(dir, "cdk.out") });
  const built = buildStratusApp(app, readAppConfig({ imageUri: "stratus:test" }));
  const other = buildStratusApp(
    testApp(),
    readAppConfig({ imageUri: "stratus:test", adminFunction: "false" }),
  );
  template = Template.fromStack(built.clusters.get("stratus") ?? built.storage);
  noAdmin = Template.fromStack(other.clusters.get("stratus") ?? other.storage);
  const fn = Object.values(template.findResources("AWS::Lambda::Function"))[0];
  const hash = String(fn?.Properties.Code.S3Key).replace(/\.zip$/, "");
  bundleDir = join(dir, "cdk.out", `asset.${hash}`);
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the admin function's resources", () => {
  it("runs Node 22 on arm64 inside the VPC with the NameServer load balancer's address", () => {
    template.hasResourceProperties("AWS::Lambda::Function", {
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      Handler: "index.handler",
      Timeout: 10,
      VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() },
      Environment: {
        Variables: {
          STRATUS_NAMESRV_ADDR: {
            "Fn::Join": ["", [{ "Fn::GetAtt": [Match.stringLikeRegexp("Nlb"), "DNSName"] }, ":9876"]],
          },
        },
      },
    });
  });

  it("is reachable only through an IAM-authenticated function URL", () => {
    template.hasResourceProperties("AWS::Lambda::Url", { AuthType: "AWS_IAM" });
    template.resourcePropertiesCountIs("AWS::Lambda::Permission", { FunctionUrlAuthType: "NONE" }, 0);
  });

  it("may only open connections to the NameServer port inside the VPC", () => {
    template.hasResourceProperties("AWS::EC2::SecurityGroup", {
      GroupDescription: Match.stringLikeRegexp("admin function"),
      SecurityGroupEgress: [Match.objectLike({ FromPort: 9876, ToPort: 9876, IpProtocol: "tcp" })],
    });
  });

  it("keeps its logs with the cluster's retention", () => {
    const fn = Object.values(template.findResources("AWS::Lambda::Function"))[0];
    expect(fn?.Properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.stringMatching(/AdminLogs/) });
    template.hasResourceProperties("AWS::Logs::LogGroup", {
      RetentionInDays: 30,
      LogGroupName: Match.absent(),
    });
  });

  it("prints its URL as the stack output AdminUrl", () => {
    template.hasOutput("AdminUrl", {
      Value: { "Fn::GetAtt": [Match.stringLikeRegexp("ClusterInfoFunctionUrl"), "FunctionUrl"] },
    });
  });

  it("is left out when adminFunction is false", () => {
    noAdmin.resourceCountIs("AWS::Lambda::Function", 0);
    expect(Object.keys(noAdmin.toJSON().Outputs)).not.toContain("AdminUrl");
  });
});

describe("the synthesized bundle", () => {
  let namesrv: NameServer;
  let broker: BrokerController;

  beforeAll(async () => {
    namesrv = new NameServer({ host: "127.0.0.1", port: 0 });
    await namesrv.start();
    const listenPort = await findFreePorts([0, -2]);
    const { config } = buildBrokerConfig("test", [
      ["brokerClusterName", "stratus"],
      ["brokerName", "broker-a"],
      ["brokerIP1", "127.0.0.1"],
      ["listenPort", String(listenPort)],
      ["namesrvAddr", namesrv.address()],
      ["storePathRootDir", join(dir, "store")],
      ["mappedFileSizeCommitLog", String(1024 * 1024)],
    ]);
    broker = await startBroker(config, "127.0.0.1");
  }, 60_000);

  afterAll(async () => {
    await broker?.shutdown();
    await namesrv?.shutdown();
  });

  it("is one ESM file that, loaded as Lambda loads it, answers cluster info from the NameServer", async () => {
    // GIVEN the index.mjs esbuild wrote during synth
    const entry = join(bundleDir, "index.mjs");
    expect(existsSync(entry)).toBe(true);
    // WHEN it is imported with the function's environment and invoked like a function URL
    process.env.STRATUS_NAMESRV_ADDR = namesrv.address();
    const mod = (await import(pathToFileURL(entry).href)) as {
      handler: (e: HttpEvent) => Promise<HttpResult>;
    };
    const res = await mod.handler({ rawPath: "/cluster", requestContext: { http: { method: "GET" } } });
    // THEN it reports the broker that registered
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).clusters).toEqual({ stratus: ["broker-a"] });
  });
});
