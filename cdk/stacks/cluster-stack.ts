/**
 * One Stratus cluster: network (a new VPC, or one passed in), an ECS cluster with a private DNS namespace, the
 * NameServer fleet behind an internal NLB on 9876, one Fargate service per broker name, a log group with
 * retention, alarms. Storage is found by name (StratusStorageStack.names); each broker's role reaches only this
 * cluster's items and objects. Environment-agnostic unless `env` is given; nothing here needs a context lookup.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { AdminFunction } from "../constructs/admin-function.js";
import { BrokerService, type DurabilityMode } from "../constructs/broker-service.js";
import type { ClusterStorage } from "../constructs/cluster-access.js";
import { ClusterAlarms, DEFAULT_UPLOAD_BACKLOG_ALARM_BYTES } from "../constructs/cluster-alarms.js";
import { validateClusterName } from "../constructs/key-scope.js";
import { NAMESRV_DISCOVERY_NAME, NamesrvFleet } from "../constructs/namesrv-fleet.js";
import {
  BROKER_PORT,
  BROKER_VIP_PORT,
  NAMESRV_PORT,
  stratusImageAsset,
} from "../constructs/stratus-container.js";

export interface TaskSize {
  /** Fargate CPU units (256 = 0.25 vCPU). */
  readonly cpu: number;
  readonly memoryMiB: number;
}

export interface BrokerSize extends TaskSize {
  /** Ephemeral storage for the CommitLog hot tail, 21..200 GiB. */
  readonly ephemeralStorageGiB: number;
}

export interface StratusClusterStackProps extends StackProps {
  /** brokerClusterName; also names the DNS namespace, the key prefixes and the log group. */
  readonly clusterName: string;
  /** Broker names broker-a, broker-b, ... (1..26). */
  readonly brokerCount: number;
  /** NameServer tasks (default 2). */
  readonly namesrvCount?: number;
  /**
   * flushDiskType of every broker (default ASYNC_FLUSH). The disk is the task's ephemeral storage, which ends with
   * the task: what survives a task is what was tiered to S3 (every tierChunkMaxAgeMs, and the tail at SIGTERM), so
   * "objectStore" (acknowledged once in S3) is the mode that survives losing a task abruptly.
   */
  readonly durability?: DurabilityMode;
  readonly brokerSize?: BrokerSize;
  readonly namesrvSize?: TaskSize;
  /** Seconds a broker keeps serving read-only after SIGTERM (default 30; stopTimeout is this + 20 s). */
  readonly drainSeconds?: number;
  readonly logRetention?: logs.RetentionDays;
  /** The cluster's table and the tier bucket (StratusStorageStack.storageFor). */
  readonly storage: ClusterStorage;
  /**
   * An existing VPC (with private subnets that have egress) found by Vpc.fromLookup, which needs the stack's
   * account and region. Default: a new VPC, and no lookup at all.
   */
  readonly vpcId?: string;
  /** For a new VPC (defaults 2 and 1). */
  readonly maxAzs?: number;
  readonly natGateways?: number;
  /** Who may connect to the NameServers and brokers (default: the VPC's CIDR). */
  readonly clientCidr?: string;
  /** Default: built from broker-fargate/Dockerfile at deploy time. */
  readonly image?: ecs.ContainerImage;
  readonly alarmEmail?: string;
  readonly uploadBacklogAlarmBytes?: number;
  /** The cluster-info admin function (default true). */
  readonly adminFunction?: boolean;
}

export const DEFAULT_BROKER_SIZE: BrokerSize = { cpu: 1024, memoryMiB: 2048, ephemeralStorageGiB: 50 };
export const DEFAULT_NAMESRV_SIZE: TaskSize = { cpu: 256, memoryMiB: 512 };
export const DEFAULT_DRAIN_SECONDS = 30;
export const MAX_BROKERS = 26;

export function brokerNames(count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_BROKERS) {
    throw new Error(`brokerCount must be 1..${MAX_BROKERS}, got ${count}`);
  }
  return Array.from({ length: count }, (_, i) => `broker-${String.fromCharCode(97 + i)}`);
}

function newVpc(scope: Construct, props: StratusClusterStackProps): ec2.Vpc {
  const vpc = new ec2.Vpc(scope, "Vpc", {
    maxAzs: props.maxAzs ?? 2,
    natGateways: props.natGateways ?? 1,
    subnetConfiguration: [
      { name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: "private", subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
    ],
  });
  // Free gateway endpoints: table and bucket traffic stays off the NAT gateway (and its per-GB charge).
  vpc.addGatewayEndpoint("DynamoDb", { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB });
  vpc.addGatewayEndpoint("S3", { service: ec2.GatewayVpcEndpointAwsService.S3 });
  if (props.storage.bucketKind === "express") {
    vpc.addGatewayEndpoint("S3Express", { service: ec2.GatewayVpcEndpointAwsService.S3_EXPRESS });
  }
  return vpc;
}

export class StratusClusterStack extends Stack {
  readonly namesrv: NamesrvFleet;
  readonly brokers = new Map<string, BrokerService>();
  readonly alarms: ClusterAlarms;
  readonly admin: AdminFunction | undefined;

  constructor(scope: Construct, id: string, props: StratusClusterStackProps) {
    super(scope, id, props);
    const clusterName = validateClusterName(props.clusterName);
    if (props.storage.clusterName !== clusterName) {
      throw new Error(
        `cluster '${clusterName}' was given the storage of cluster '${props.storage.clusterName}'`,
      );
    }
    const names = brokerNames(props.brokerCount);
    const vpc =
      props.vpcId === undefined
        ? newVpc(this, props)
        : ec2.Vpc.fromLookup(this, "Vpc", { vpcId: props.vpcId });
    const image = props.image ?? stratusImageAsset();
    const clientPeer = ec2.Peer.ipv4(props.clientCidr ?? vpc.vpcCidrBlock);
    const namespace = `${clusterName}.stratus.internal`;
    const cluster = new ecs.Cluster(this, "Cluster", {
      vpc,
      clusterName: `stratus-${clusterName}`,
      defaultCloudMapNamespace: { name: namespace, vpc },
    });
    const logGroup = new logs.LogGroup(this, "Logs", {
      logGroupName: `/stratus/${clusterName}`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const namesrvCount = props.namesrvCount ?? 2;
    const namesrvSize = props.namesrvSize ?? DEFAULT_NAMESRV_SIZE;
    this.namesrv = new NamesrvFleet(this, "Namesrv", {
      cluster,
      image,
      logGroup,
      count: namesrvCount,
      cpu: namesrvSize.cpu,
      memoryMiB: namesrvSize.memoryMiB,
      clientPeer,
      storage: props.storage,
    });
    const brokerSg = new ec2.SecurityGroup(this, "BrokerSg", {
      vpc,
      description: "Stratus brokers: listenPort and the VIP channel from clients",
      allowAllOutbound: true,
    });
    brokerSg.addIngressRule(clientPeer, ec2.Port.tcp(BROKER_PORT), "RocketMQ clients");
    brokerSg.addIngressRule(clientPeer, ec2.Port.tcp(BROKER_VIP_PORT), "RocketMQ clients (VIP channel)");
    const size = props.brokerSize ?? DEFAULT_BROKER_SIZE;
    for (const brokerName of names) {
      const broker = new BrokerService(this, `Broker-${brokerName}`, {
        cluster,
        image,
        logGroup,
        brokerName,
        storage: props.storage,
        cpu: size.cpu,
        memoryMiB: size.memoryMiB,
        ephemeralStorageGiB: size.ephemeralStorageGiB,
        durability: props.durability ?? "ASYNC_FLUSH",
        drainSeconds: props.drainSeconds ?? DEFAULT_DRAIN_SECONDS,
        namesrvDnsName: `${NAMESRV_DISCOVERY_NAME}.${namespace}`,
        securityGroup: brokerSg,
      });
      this.brokers.set(brokerName, broker);
    }
    this.alarms = new ClusterAlarms(this, "Alarms", {
      clusterName,
      brokers: new Map([...this.brokers].map(([n, b]) => [n, b.service])),
      namesrv: this.namesrv,
      namesrvCount,
      uploadBacklogAlarmBytes: props.uploadBacklogAlarmBytes ?? DEFAULT_UPLOAD_BACKLOG_ALARM_BYTES,
      alarmEmail: props.alarmEmail,
    });
    const namesrvAddr = `${this.namesrv.loadBalancer.loadBalancerDnsName}:${NAMESRV_PORT}`;
    this.admin =
      props.adminFunction === false
        ? undefined
        : new AdminFunction(this, "Admin", {
            vpc,
            namesrvAddr,
            logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
          });
    new CfnOutput(this, "NamesrvAddr", {
      description: "namesrvAddr for RocketMQ clients inside the VPC",
      value: namesrvAddr,
    });
    new CfnOutput(this, "AlarmTopicArn", { value: this.alarms.topic.topicArn });
    if (this.admin !== undefined) {
      new CfnOutput(this, "AdminUrl", {
        description: "cluster-info API: SigV4-signed GET /cluster and /route/<topic>",
        value: this.admin.url.url,
      });
    }
  }
}
