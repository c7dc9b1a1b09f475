/**
 * The container entry's life cycle: read the settings, start a NameServer or a broker by STRATUS_ROLE, serve the
 * health endpoint, and on SIGTERM drain and exit.
 *
 * Broker drain (ECS sends SIGTERM, then SIGKILL after the task's stopTimeout):
 *   1. health answers 503 "draining";
 *   2. write permission is wiped (UPDATE_BROKER_CONFIG brokerPermission without the write bit, sent to the broker
 *      itself, which re-registers at once): NameServers hand producers read-only routes, so new sends go to other
 *      brokers as soon as clients refresh routes (every 30 s by default); consumers keep draining;
 *   3. it keeps serving for STRATUS_DRAIN_MS, so in-flight sends finish and consumers catch up;
 *   4. broker shutdown: UNREGISTER_BROKER with every NameServer, close the listeners, flush offsets and the
 *      CommitLog to disk; exit 0.
 * With STRATUS_METADATA_TABLE and STRATUS_TIER_BUCKET the broker runs on the AWS ports (lib/cli/run-broker.ts
 * openCloud): topics, groups and offsets in its partitions of the table, the CommitLog tiered to S3, and its
 * shutdown in step 4 also uploads the unsealed tail (up to drainTimeoutMs), so a replacement task on an empty disk
 * serves the same history. Without them it runs on its disk alone.
 * A tiering broker writes its upload backlog as a CloudWatch EMF line on stdout at start and every
 * STRATUS_METRICS_INTERVAL_MS (backlog-metric.ts); everything else the entry says goes to stderr.
 */
import { readFileSync } from "node:fs";
import type { BrokerConfig } from "../lib/broker/broker-config.js";
import type { BrokerController } from "../lib/broker/broker-controller.js";
import { type Cloud, openCloud, startBroker } from "../lib/cli/run-broker.js";
import { StratusError } from "../lib/common/errors.js";
import { NameServer } from "../lib/namesrv/namesrv.js";
import { createDynamoDbClient } from "../lib/ports/aws/aws-clients.js";
import { DynamoDbMetadataStore } from "../lib/ports/aws/dynamodb-metadata-store.js";
import type { MetadataStore } from "../lib/ports/metadata-store.js";
import { PermName } from "../lib/protocol/perm-name.js";
import { createRequest } from "../lib/protocol/remoting-command.js";
import { RequestCode } from "../lib/protocol/request-code.js";
import { ResponseCode } from "../lib/protocol/response-code.js";
import { RemotingClient } from "../lib/remoting/client.js";
import { startBacklogMetric } from "./backlog-metric.js";
import { discoverBrokerIP, resolveNamesrvAddr } from "./discovery.js";
import {
  type BrokerSettings,
  brokerConfigFor,
  type Env,
  isSetExplicitly,
  type NamesrvSettings,
} from "./fargate-settings.js";
import { HealthServer } from "./health-server.js";

export type Log = (line: string) => void;

export interface RunningRole {
  readonly health: HealthServer;
  readonly healthPort: number;
  /** The drain described above; resolves when everything is closed. */
  stop(): Promise<void>;
}

/** The stateless NameServer's table (verified now: a missing table or refused credentials stop the start). */
async function openMetadataStore(
  tableName: string | undefined,
  env: Env,
): Promise<MetadataStore | undefined> {
  if (tableName === undefined) return undefined;
  const store = new DynamoDbMetadataStore({ client: createDynamoDbClient({}, env), tableName });
  try {
    await store.verify();
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}

export async function startNamesrvRole(settings: NamesrvSettings, env: Env, log: Log): Promise<RunningRole> {
  const health = new HealthServer("namesrv");
  const healthPort = await health.listen(settings.bindHost, settings.healthPort);
  const metadataStore = await openMetadataStore(settings.metadataTable, env);
  const namesrv = new NameServer({
    host: settings.bindHost,
    port: settings.port,
    brokerChannelExpiredTime: settings.brokerExpiredMs,
    metadataStore,
  });
  await namesrv.start();
  health.set("serving", {
    namesrvAddr: namesrv.address(),
    routes: metadataStore === undefined ? "memory" : `dynamodb:${settings.metadataTable}`,
  });
  log(`stratus ready: namesrv ${namesrv.address()} health :${healthPort}`);
  return {
    health,
    healthPort,
    async stop() {
      health.set("draining");
      await namesrv.shutdown();
      await metadataStore?.close();
      health.set("stopped");
      await health.close();
    },
  };
}

function localAddress(bindHost: string, port: number): string {
  const host = bindHost === "0.0.0.0" || bindHost === "::" ? "127.0.0.1" : bindHost;
  return `${host}:${port}`;
}

/** Applies broker.conf keys to the running broker through its own UPDATE_BROKER_CONFIG (the admin path). */
async function updateOwnConfig(addr: string, entries: Record<string, string>): Promise<void> {
  const client = new RemotingClient();
  try {
    const body = Buffer.from(
      Object.entries(entries)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(""),
    );
    const res = await client.invoke(addr, createRequest(RequestCode.UPDATE_BROKER_CONFIG, {}, body), 5000);
    if (res.code !== ResponseCode.SUCCESS) {
      throw new Error(`UPDATE_BROKER_CONFIG answered ${res.code} ${res.remark ?? ""}`);
    }
  } finally {
    client.close();
  }
}

async function resolveBrokerConfig(settings: BrokerSettings, env: Env, log: Log): Promise<BrokerConfig> {
  const confText = settings.confFile === undefined ? undefined : readFileSync(settings.confFile, "utf8");
  const brokerIP1 = isSetExplicitly(settings, confText, "brokerIP1")
    ? undefined
    : await discoverBrokerIP(env);
  const namesrvAddr =
    settings.namesrvDns === undefined || isSetExplicitly(settings, confText, "namesrvAddr")
      ? undefined
      : await resolveNamesrvAddr(settings.namesrvDns);
  const { config, ignoredKeys } = brokerConfigFor(settings, confText, { brokerIP1, namesrvAddr });
  if (ignoredKeys.length > 0) log(`broker.conf keys accepted without effect: ${ignoredKeys.join(", ")}`);
  return config;
}

/** Follows the NameServer fleet: re-resolves the discovery name and re-points namesrvAddr when the set changes. */
function followNamesrvDns(settings: BrokerSettings, broker: BrokerController, self: string, log: Log) {
  const target = settings.namesrvDns;
  if (target === undefined) return undefined;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const addr = await resolveNamesrvAddr(target);
      if (addr !== broker.ctx.config.namesrvAddr) {
        await updateOwnConfig(self, { namesrvAddr: addr });
        await broker.ctx.registerBrokerAll();
        log(`NameServers now ${addr}`);
      }
    } catch (e) {
      log(`NameServer discovery failed (keeping ${broker.ctx.config.namesrvAddr}): ${(e as Error).message}`);
    } finally {
      busy = false;
    }
  }, broker.ctx.config.registerNameServerPeriod);
  timer.unref();
  return timer;
}

/** The AWS ports when both the table and the bucket are named; verified before the broker starts. */
async function openBrokerCloud(settings: BrokerSettings, env: Env, log: Log): Promise<Cloud | undefined> {
  const { metadataTable, tierBucket } = settings.cloud;
  if (metadataTable === undefined && tierBucket === undefined) return undefined;
  if (metadataTable === undefined || tierBucket === undefined) {
    throw new StratusError(
      "CONFIG_INVALID",
      "environment: set both STRATUS_METADATA_TABLE and STRATUS_TIER_BUCKET, or neither",
    );
  }
  const cloud = await openCloud({
    kind: "aws",
    metadataTableName: metadataTable,
    bucketName: tierBucket,
    env,
  });
  log(`cloud: ${cloud.description}`);
  return cloud;
}

export async function startBrokerRole(settings: BrokerSettings, env: Env, log: Log): Promise<RunningRole> {
  const health = new HealthServer("broker");
  const healthPort = await health.listen(settings.bindHost, settings.healthPort);
  const config = await resolveBrokerConfig(settings, env, log);
  const cloud = await openBrokerCloud(settings, env, log);
  let broker: BrokerController;
  try {
    broker = await startBroker(config, settings.bindHost, { cloud });
  } catch (e) {
    await cloud?.close();
    throw e;
  }
  const self = localAddress(settings.bindHost, config.listenPort);
  const dnsTimer = followNamesrvDns(settings, broker, self, log);
  health.set("serving", {
    brokerName: config.brokerName,
    brokerClusterName: config.brokerClusterName,
    brokerAddr: `${config.brokerIP1}:${config.listenPort}`,
    flushDiskType: config.flushDiskType,
    metadataTable: settings.cloud.metadataTable ?? "",
    tierBucket: settings.cloud.tierBucket ?? "",
    awsPortsWired: cloud !== undefined,
  });
  log(
    `stratus ready: broker ${config.brokerIP1}:${config.listenPort} (${config.brokerName}) health :${healthPort}`,
  );
  const stopMetric = startBacklogMetric({
    clusterName: config.brokerClusterName,
    brokerName: config.brokerName,
    backlogBytes: () => broker.tierBacklogBytes(),
    intervalMs: settings.metricsIntervalMs,
  });
  return {
    health,
    healthPort,
    async stop() {
      if (dnsTimer !== undefined) clearInterval(dnsTimer);
      health.set("draining");
      const perm = broker.ctx.config.brokerPermission & ~PermName.PERM_WRITE;
      try {
        await updateOwnConfig(self, { brokerPermission: String(perm) });
        await broker.ctx.registerBrokerAll();
        log(
          `draining: write permission wiped (brokerPermission=${perm}), serving for ${settings.drainMs} ms`,
        );
      } catch (e) {
        log(`draining: could not wipe write permission: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, settings.drainMs));
      stopMetric();
      await broker.shutdown();
      await cloud?.close();
      health.set("stopped");
      await health.close();
      log(`broker stopped: unregistered, flushed${cloud === undefined ? "" : ", tail uploaded"}`);
    },
  };
}
