/**
 * The NameServer fleet: a Fargate service behind an internal Network Load Balancer on 9876 (clients' namesrvAddr),
 * also registered in the cluster's private DNS namespace as "namesrv", whose A records list every task. The
 * NameServers are stateless (ADR 0005): routes, leases and the KV table live in the cluster's metadata table, so
 * any of them answers alike; brokers still register with each one they find (as Apache brokers do).
 */
import { Duration, Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import type * as logs from "aws-cdk-lib/aws-logs";
import * as servicediscovery from "aws-cdk-lib/aws-servicediscovery";
import { Construct } from "constructs";
import { type ClusterStorage, grant, namesrvAccessStatements } from "./cluster-access.js";
import { addStratusContainer, HEALTH_PORT, NAMESRV_PORT } from "./stratus-container.js";

export interface NamesrvFleetProps {
  readonly cluster: ecs.Cluster;
  readonly image: ecs.ContainerImage;
  readonly logGroup: logs.ILogGroup;
  readonly count: number;
  readonly cpu: number;
  readonly memoryMiB: number;
  /** Who may open connections to 9876 (clients and brokers). */
  readonly clientPeer: ec2.IPeer;
  readonly storage: ClusterStorage;
}

export const NAMESRV_DISCOVERY_NAME = "namesrv";

export class NamesrvFleet extends Construct {
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly targetGroup: elbv2.NetworkTargetGroup;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NamesrvFleetProps) {
    super(scope, id);
    const vpc = props.cluster.vpc;
    const task = new ecs.FargateTaskDefinition(this, "Task", {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
    });
    const container = addStratusContainer(task, {
      image: props.image,
      logGroup: props.logGroup,
      streamPrefix: "namesrv",
      environment: {
        STRATUS_ROLE: "namesrv",
        STRATUS_NAMESRV_PORT: String(NAMESRV_PORT),
        STRATUS_METADATA_TABLE: props.storage.tableName,
      },
      ports: [NAMESRV_PORT, HEALTH_PORT],
      stopTimeout: Duration.seconds(15),
    });
    grant(task.taskRole, namesrvAccessStatements(Stack.of(this), props.storage));
    this.securityGroup = new ec2.SecurityGroup(this, "Sg", {
      vpc,
      description: "Stratus NameServers: 9876 from clients and brokers, health from the load balancer",
      allowAllOutbound: true,
    });
    this.securityGroup.addIngressRule(
      props.clientPeer,
      ec2.Port.tcp(NAMESRV_PORT),
      "RocketMQ clients and brokers",
    );
    this.securityGroup.addIngressRule(
      ec2.Peer.ipv4(vpc.vpcCidrBlock),
      ec2.Port.tcp(HEALTH_PORT),
      "load balancer health checks",
    );
    this.service = new ecs.FargateService(this, "Service", {
      cluster: props.cluster,
      taskDefinition: task,
      desiredCount: props.count,
      minHealthyPercent: 50,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      securityGroups: [this.securityGroup],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      cloudMapOptions: {
        name: NAMESRV_DISCOVERY_NAME,
        dnsRecordType: servicediscovery.DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
        container,
      },
    });
    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, "Nlb", {
      vpc,
      internetFacing: false,
      crossZoneEnabled: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    });
    const listener = this.loadBalancer.addListener("Namesrv", { port: NAMESRV_PORT });
    this.targetGroup = listener.addTargets("Namesrv", {
      port: NAMESRV_PORT,
      targets: [
        this.service.loadBalancerTarget({
          containerName: container.containerName,
          containerPort: NAMESRV_PORT,
        }),
      ],
      deregistrationDelay: Duration.seconds(10),
      healthCheck: {
        protocol: elbv2.Protocol.HTTP,
        port: String(HEALTH_PORT),
        path: "/health",
        interval: Duration.seconds(10),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
    });
  }
}
