/**
 * The container both roles run: the broker-fargate image (its Dockerfile, or a prebuilt image), STRATUS_* settings
 * as environment, the `healthcheck` mode of the same bundle as the ECS health check, logs to the cluster's group.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Duration, IgnoreMode } from "aws-cdk-lib";
import * as ecrAssets from "aws-cdk-lib/aws-ecr-assets";
import * as ecs from "aws-cdk-lib/aws-ecs";
import type * as logs from "aws-cdk-lib/aws-logs";

export const REPO_ROOT = join(import.meta.dirname, "..", "..");
export const DOCKERFILE = "broker-fargate/Dockerfile";
export const HEALTH_PORT = 8080;
export const NAMESRV_PORT = 9876;
export const BROKER_PORT = 10911;
/** The broker's VIP channel (listenPort - 2) that older clients use. */
export const BROKER_VIP_PORT = BROKER_PORT - 2;
/** The bundle's own health probe; the runtime image has no shell or curl. */
export const HEALTH_CHECK_COMMAND = ["CMD", "/nodejs/bin/node", "/app/stratus-fargate.mjs", "healthcheck"];

/** The image built from broker-fargate/Dockerfile; the context is filtered by its Dockerfile.dockerignore. */
export function stratusImageAsset(): ecs.ContainerImage {
  const ignore = readFileSync(join(REPO_ROOT, `${DOCKERFILE}.dockerignore`), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  return ecs.ContainerImage.fromAsset(REPO_ROOT, {
    file: DOCKERFILE,
    exclude: ignore,
    ignoreMode: IgnoreMode.DOCKER,
    platform: ecrAssets.Platform.LINUX_AMD64,
  });
}

export interface StratusContainerProps {
  readonly image: ecs.ContainerImage;
  readonly logGroup: logs.ILogGroup;
  readonly streamPrefix: string;
  readonly environment: Record<string, string>;
  readonly ports: readonly number[];
  readonly stopTimeout: Duration;
}

export function addStratusContainer(
  taskDefinition: ecs.FargateTaskDefinition,
  props: StratusContainerProps,
): ecs.ContainerDefinition {
  return taskDefinition.addContainer("stratus", {
    image: props.image,
    essential: true,
    environment: { STRATUS_HEALTH_PORT: String(HEALTH_PORT), ...props.environment },
    portMappings: props.ports.map((containerPort) => ({ containerPort, protocol: ecs.Protocol.TCP })),
    healthCheck: {
      command: HEALTH_CHECK_COMMAND,
      interval: Duration.seconds(15),
      timeout: Duration.seconds(5),
      retries: 3,
      startPeriod: Duration.seconds(60),
    },
    stopTimeout: props.stopTimeout,
    logging: ecs.LogDrivers.awsLogs({ logGroup: props.logGroup, streamPrefix: props.streamPrefix }),
    readonlyRootFilesystem: false,
  });
}
