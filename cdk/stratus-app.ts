/**
 * The stacks of a Stratus deployment: "Stratus-Storage" (table, bucket) and one "Stratus-<cluster>" per cluster.
 * bin/app.ts calls this with the context; tests call it directly.
 */
import type { App, Environment } from "aws-cdk-lib";
import * as ecs from "aws-cdk-lib/aws-ecs";
import type { AppConfig } from "./app-config.js";
import { StratusClusterStack } from "./stacks/cluster-stack.js";
import { StratusStorageStack } from "./stacks/storage-stack.js";

export interface StratusApp {
  readonly storage: StratusStorageStack;
  readonly clusters: ReadonlyMap<string, StratusClusterStack>;
}

/**
 * `env` stays undefined (environment-agnostic) unless an existing VPC is looked up: Vpc.fromLookup needs an
 * account and region, and is the only lookup the app ever does.
 */
export function buildStratusApp(app: App, config: AppConfig, env?: Environment): StratusApp {
  if (config.vpcId !== undefined && (env?.account === undefined || env.region === undefined)) {
    throw new Error(
      "context 'vpcId' needs an account and region (set AWS credentials or CDK_DEFAULT_ACCOUNT/REGION)",
    );
  }
  const storage = new StratusStorageStack(app, "Stratus-Storage", {
    env,
    description: "Stratus: metadata tables and tier bucket (retained on delete)",
    tableBaseName: config.tableBaseName,
    deletionProtection: config.deletionProtection,
    pointInTimeRecovery: config.pointInTimeRecovery,
    expressAvailabilityZoneId: config.s3ExpressAzId,
    clusters: config.clusters,
    tierExpireAfterDays: config.tierExpireAfterDays,
  });
  const clusters = new Map<string, StratusClusterStack>();
  for (const clusterName of config.clusters) {
    const id = `Stratus-${clusterName}`;
    const stack = new StratusClusterStack(app, id, {
      env,
      description: `Stratus cluster ${clusterName}: NameServers, brokers, alarms`,
      clusterName,
      brokerCount: config.brokerCount,
      namesrvCount: config.namesrvCount,
      durability: config.durability,
      brokerSize: {
        cpu: config.brokerCpu,
        memoryMiB: config.brokerMemoryMiB,
        ephemeralStorageGiB: config.brokerStorageGiB,
      },
      namesrvSize: { cpu: config.namesrvCpu, memoryMiB: config.namesrvMemoryMiB },
      drainSeconds: config.drainSeconds,
      logRetention: config.logRetentionDays,
      storage: storage.storageFor(clusterName),
      vpcId: config.vpcId,
      maxAzs: config.maxAzs,
      natGateways: config.natGateways,
      clientCidr: config.clientCidr,
      alarmEmail: config.alarmEmail,
      uploadBacklogAlarmBytes: config.uploadBacklogAlarmBytes,
      adminFunction: config.adminFunction,
      image: config.imageUri === undefined ? undefined : ecs.ContainerImage.fromRegistry(config.imageUri),
    });
    stack.addStackDependency(storage, "brokers use the table and bucket");
    clusters.set(clusterName, stack);
  }
  return { storage, clusters };
}
