/**
 * One broker name as one Fargate service of exactly one task. A broker name must never run twice (two tasks would
 * write one broker's CommitLog and register the same name), so deployments stop the old task before starting the
 * new one (maxHealthyPercent 100, minHealthyPercent 0). The task finds its own private IP (ECS task metadata) and
 * registers it as brokerIP1; it finds the NameServers through the cluster's DNS name. On stop, ECS sends SIGTERM
 * and waits stopTimeout (drain + margin, at most 120 s on Fargate) before SIGKILL.
 */
import { Duration, Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import type * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { brokerAccessStatements, type ClusterStorage, grant } from "./cluster-access.js";
import {
  addStratusContainer,
  BROKER_PORT,
  BROKER_VIP_PORT,
  HEALTH_PORT,
  NAMESRV_PORT,
} from "./stratus-container.js";

/** flushDiskType (README, Durability; docs/adr/0006 for objectStore: acknowledged once the chunk is in S3). */
export type DurabilityMode = "ASYNC_FLUSH" | "SYNC_FLUSH" | "objectStore";

/** Fargate lets a container at most 120 s between SIGTERM and SIGKILL. */
export const MAX_STOP_TIMEOUT_SECONDS = 120;
/** Time after the drain for uploading the CommitLog tail, unregistering, closing and flushing. */
export const STOP_MARGIN_SECONDS = 20;
/** The broker's own bound on uploading the tail at shutdown (drainTimeoutMs), inside the margin. */
export const TAIL_UPLOAD_TIMEOUT_MS = 15_000;

export interface BrokerServiceProps {
  readonly cluster: ecs.Cluster;
  readonly image: ecs.ContainerImage;
  readonly logGroup: logs.ILogGroup;
  readonly brokerName: string;
  readonly storage: ClusterStorage;
  readonly cpu: number;
  readonly memoryMiB: number;
  /** Fargate ephemeral storage for the CommitLog, 21..200 GiB. */
  readonly ephemeralStorageGiB: number;
  readonly durability: DurabilityMode;
  readonly drainSeconds: number;
  /** "namesrv.<namespace>" */
  readonly namesrvDnsName: string;
  readonly securityGroup: ec2.ISecurityGroup;
}

export class BrokerService extends Construct {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;

  constructor(scope: Construct, id: string, props: BrokerServiceProps) {
    super(scope, id);
    const stopSeconds = props.drainSeconds + STOP_MARGIN_SECONDS;
    if (
      !Number.isInteger(props.drainSeconds) ||
      props.drainSeconds < 0 ||
      stopSeconds > MAX_STOP_TIMEOUT_SECONDS
    ) {
      throw new Error(`drainSeconds must be 0..${MAX_STOP_TIMEOUT_SECONDS - STOP_MARGIN_SECONDS}`);
    }
    this.taskDefinition = new ecs.FargateTaskDefinition(this, "Task", {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      ephemeralStorageGiB: props.ephemeralStorageGiB,
    });
    grant(
      this.taskDefinition.taskRole,
      brokerAccessStatements(Stack.of(this), props.storage, props.brokerName),
    );
    addStratusContainer(this.taskDefinition, {
      image: props.image,
      logGroup: props.logGroup,
      streamPrefix: props.brokerName,
      environment: {
        STRATUS_ROLE: "broker",
        STRATUS_DRAIN_MS: String(props.drainSeconds * 1000),
        STRATUS_NAMESRV_DNS: `${props.namesrvDnsName}:${NAMESRV_PORT}`,
        STRATUS_CONF_brokerClusterName: props.storage.clusterName,
        STRATUS_CONF_brokerName: props.brokerName,
        STRATUS_CONF_brokerId: "0",
        STRATUS_CONF_listenPort: String(BROKER_PORT),
        STRATUS_CONF_flushDiskType: props.durability,
        STRATUS_CONF_drainTimeoutMs: String(TAIL_UPLOAD_TIMEOUT_MS),
        STRATUS_METADATA_TABLE: props.storage.tableName,
        STRATUS_TIER_BUCKET: props.storage.bucketName,
      },
      ports: [BROKER_PORT, BROKER_VIP_PORT, HEALTH_PORT],
      stopTimeout: Duration.seconds(stopSeconds),
    });
    this.service = new ecs.FargateService(this, "Service", {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: 1,
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { rollback: true },
      securityGroups: [props.securityGroup],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    });
  }
}
