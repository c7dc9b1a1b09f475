/**
 * Apache RocketMQ's own NameServer and Broker, run from the Maven Central jars (see
 * test/setup/java-deps.mjs) on free loopback ports with a throwaway data directory. Used to prove the
 * compatibility scenarios against the reference, and as the benchmark baseline.
 *
 * Every file either server writes goes under `dataDir` (user.home is pointed there); 4.x reads its
 * logback configuration from test/support/rocketmq-home/conf (ROCKETMQ_HOME), 5.x ships its own.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULT_SERVER_VERSION, ensureArtifactSet, ROOT } from "../setup/java-deps.mjs";
import type { RunningCluster } from "./cluster.js";
import { keepDataDirs } from "./cluster-env.js";
import { javaCommand } from "./java.js";
import { ManagedProcess } from "./managed-process.js";
import { findFreePorts } from "./ports.js";

export const ROCKETMQ_HOME = path.join(ROOT, "test", "support", "rocketmq-home");
const LOOPBACK = "127.0.0.1";
/** Apache's broker binds listenPort-2 (fast/VIP channel) and listenPort+1 (HA) besides listenPort. */
const BROKER_PORT_OFFSETS = [-2, 0, 1];
const DEFAULT_COMMIT_LOG_BYTES = 32 * 1024 * 1024;
const DEFAULT_START_TIMEOUT_MS = 150_000;

export interface ApacheClusterOptions {
  /** Server version with a `server-<version>` artifact set (4.9.7 or 5.3.3). */
  version?: string;
  /** Where data and logs go; a fresh temp directory by default. */
  dataDir?: string;
  clusterName?: string;
  brokerName?: string;
  /** broker.conf mappedFileSizeCommitLog; small so that no GiB-sized file is created. */
  mappedFileSizeCommitLog?: number;
  /** Extra broker.conf entries (Apache spellings), overriding the defaults below. */
  brokerConfig?: Record<string, string | number | boolean>;
  namesrvJvmArgs?: readonly string[];
  brokerJvmArgs?: readonly string[];
  startTimeoutMs?: number;
  /** Keep dataDir after stop() (also STRATUS_COMPAT_KEEP=1). */
  keepDataDir?: boolean;
}

function properties(entries: Record<string, string | number | boolean>): string {
  return `${Object.entries(entries)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n")}\n`;
}

function brokerConf(
  o: ApacheClusterOptions,
  dataDir: string,
  namesrvAddr: string,
  brokerPort: number,
): Record<string, string | number | boolean> {
  const store = path.join(dataDir, "store");
  return {
    brokerClusterName: o.clusterName ?? "DefaultCluster",
    brokerName: o.brokerName ?? "broker-a",
    brokerId: 0,
    namesrvAddr,
    brokerIP1: LOOPBACK,
    listenPort: brokerPort,
    storePathRootDir: store,
    storePathCommitLog: path.join(store, "commitlog"),
    autoCreateTopicEnable: true,
    autoCreateSubscriptionGroup: true,
    enablePropertyFilter: true,
    flushDiskType: "ASYNC_FLUSH",
    mappedFileSizeCommitLog: o.mappedFileSizeCommitLog ?? DEFAULT_COMMIT_LOG_BYTES,
    // A loaded two-core test machine must not turn slow sends into SYSTEM_BUSY rejections.
    waitTimeMillsInSendQueue: 3000,
    osPageCacheBusyTimeOutMills: 5000,
    ...o.brokerConfig,
  };
}

function jvm(dataDir: string, heap: string, extra: readonly string[] | undefined): string[] {
  return [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    "-XX:+UseSerialGC",
    `-Duser.home=${dataDir}`,
    `-Drocketmq.home.dir=${ROCKETMQ_HOME}`,
    `-Dstratus.log.dir=${path.join(dataDir, "logs")}`,
    `-Djava.io.tmpdir=${path.join(dataDir, "tmp")}`,
    ...(extra ?? []),
  ];
}

export async function startApacheCluster(options: ApacheClusterOptions = {}): Promise<RunningCluster> {
  const version = options.version ?? DEFAULT_SERVER_VERSION;
  const classpath = ensureArtifactSet(`server-${version}`, (line) => process.stderr.write(`${line}\n`));
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "stratus-apache-"));
  for (const sub of ["logs", "tmp", "namesrv"]) fs.mkdirSync(path.join(dataDir, sub), { recursive: true });
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const env = { ...process.env, ROCKETMQ_HOME };
  const started: ManagedProcess[] = [];
  const stopAll = async () => {
    for (const p of [...started].reverse()) await p.stop();
  };
  try {
    const namesrvPort = await findFreePorts([0]);
    const namesrvAddr = `${LOOPBACK}:${namesrvPort}`;
    const namesrvConf = path.join(dataDir, "namesrv.properties");
    fs.writeFileSync(
      namesrvConf,
      properties({
        listenPort: namesrvPort,
        kvConfigPath: path.join(dataDir, "namesrv", "kvConfig.json"),
        configStorePath: path.join(dataDir, "namesrv", "namesrv.properties"),
      }),
    );
    const namesrv = new ManagedProcess({
      name: `apache ${version} namesrv`,
      command: javaCommand(),
      args: [
        ...jvm(dataDir, "256m", options.namesrvJvmArgs),
        "-cp",
        classpath,
        "org.apache.rocketmq.namesrv.NamesrvStartup",
        "-c",
        namesrvConf,
      ],
      env,
      logFile: path.join(dataDir, "logs", "namesrv.out"),
    });
    started.push(namesrv);
    await namesrv.waitForLine(/The Name Server boot success/, timeoutMs);

    const brokerPort = await findFreePorts(BROKER_PORT_OFFSETS);
    const conf = brokerConf(options, dataDir, namesrvAddr, brokerPort);
    const brokerConfFile = path.join(dataDir, "broker.conf");
    fs.writeFileSync(brokerConfFile, properties(conf));
    const broker = new ManagedProcess({
      name: `apache ${version} broker`,
      command: javaCommand(),
      args: [
        ...jvm(dataDir, "512m", options.brokerJvmArgs),
        "-cp",
        classpath,
        "org.apache.rocketmq.broker.BrokerStartup",
        "-c",
        brokerConfFile,
      ],
      env,
      logFile: path.join(dataDir, "logs", "broker.out"),
    });
    started.push(broker);
    await broker.waitForLine(/The broker\[.*\] boot success/, timeoutMs);

    const keep = options.keepDataDir ?? keepDataDirs();
    return {
      target: "apache",
      description: `apache ${version}`,
      namesrvAddr,
      brokerAddr: `${LOOPBACK}:${brokerPort}`,
      clusterName: String(conf.brokerClusterName),
      brokerName: String(conf.brokerName),
      dataDir,
      recentOutput: () => started.map((p) => `--- ${p.name} (${p.logFile})\n${p.recentOutput()}`).join("\n"),
      stop: async () => {
        await stopAll();
        if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
