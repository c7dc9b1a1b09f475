/**
 * The cluster-info admin API (functions/cluster-info) as a Lambda function: Node 22 on arm64, bundled at synth by
 * the project's own esbuild (no Docker), inside the VPC so it reaches the NameServer load balancer, behind a
 * function URL that needs IAM-signed requests (SigV4; nothing is public).
 */
import { join } from "node:path";
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { NAMESRV_PORT, REPO_ROOT } from "./stratus-container.js";

export interface AdminFunctionProps {
  readonly vpc: ec2.IVpc;
  readonly namesrvAddr: string;
  readonly logRetention: logs.RetentionDays;
}

export class AdminFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly url: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: AdminFunctionProps) {
    super(scope, id);
    const sg = new ec2.SecurityGroup(this, "Sg", {
      vpc: props.vpc,
      description: "Stratus admin function: out to the NameServers only",
      allowAllOutbound: false,
    });
    sg.addEgressRule(
      ec2.Peer.ipv4(props.vpc.vpcCidrBlock),
      ec2.Port.tcp(NAMESRV_PORT),
      "NameServer load balancer",
    );
    this.fn = new nodejs.NodejsFunction(this, "ClusterInfo", {
      entry: join(REPO_ROOT, "functions/cluster-info/handler.ts"),
      handler: "handler",
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, "package-lock.json"),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(10),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [sg],
      environment: { STRATUS_NAMESRV_ADDR: props.namesrvAddr },
      logGroup: new logs.LogGroup(this, "Logs", {
        retention: props.logRetention,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: "node22",
        minify: true,
        sourceMap: true,
        banner: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);",
      },
    });
    this.url = this.fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
  }
}
