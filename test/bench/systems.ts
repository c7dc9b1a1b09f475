/**
 * Starts the two systems under test with the same durability settings, through the compat harness's own
 * launchers (test/support): Apache RocketMQ 5.3.3's NameServer + Broker from the Maven jars, and
 * `stratus dev`. Also finds the broker process whose memory the bench samples.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startApacheCluster } from "../support/apache-cluster.js";
import type { RunningCluster } from "../support/cluster.js";
import { startStratusCluster } from "../support/stratus-cluster.js";
import { findPidByCmdline } from "./rss.js";

export type SystemName = "stratus" | "apache";
export type FlushDiskType = "ASYNC_FLUSH" | "SYNC_FLUSH";

/** The Apache server the bench compares against (the issue asks for 5.3.x or newer). */
export const APACHE_BENCH_VERSION = "5.3.3";

/** Settings both brokers get, spelled as broker.conf keys both accept. */
export interface DurabilitySettings {
  readonly flushDiskType: FlushDiskType;
  /** CommitLog segment size: small enough that no GiB-sized file is created, equal for both. */
  readonly mappedFileSizeCommitLog: number;
  /** Async flush period and sync-flush timeout (Apache's defaults, stated so both get them). */
  readonly flushIntervalCommitLog: number;
  readonly syncFlushTimeout: number;
}

export interface BenchSystem {
  readonly name: SystemName;
  readonly cluster: RunningCluster;
  /** The broker process: for Stratus the node process (NameServer in the same process), for Apache the broker JVM. */
  readonly brokerPid: number | undefined;
  /** Stops it and removes its data (Apache's JVMs are SIGKILLed first: see stopSystem). */
  stop(): Promise<void>;
}

/**
 * Apache's broker takes 15–20 s to shut down gracefully on this machine; its store is a throwaway, so the
 * bench SIGKILLs the two JVMs it started (found by their data dir) and lets the launcher clean up. Stratus
 * gets SIGTERM as always (its --cpu-prof profile is written on that clean exit).
 */
function killApache(cluster: RunningCluster): void {
  for (const main of [
    "org.apache.rocketmq.broker.BrokerStartup",
    "org.apache.rocketmq.namesrv.NamesrvStartup",
  ]) {
    const pid = findPidByCmdline([main, cluster.dataDir]);
    if (pid === undefined) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Apache's JVM heap for the broker is set by the launcher (512 MiB, SerialGC); the NameServer gets 256 MiB. */
export function brokerConfEntries(s: DurabilitySettings): Record<string, string | number> {
  return {
    flushDiskType: s.flushDiskType,
    mappedFileSizeCommitLog: s.mappedFileSizeCommitLog,
    flushIntervalCommitLog: s.flushIntervalCommitLog,
    syncFlushTimeout: s.syncFlushTimeout,
  };
}

export function brokerConfText(s: DurabilitySettings): string {
  return `${Object.entries(brokerConfEntries(s))
    .map(([k, v]) => `${k}=${v}`)
    .join("\n")}\n`;
}

export interface StartOptions {
  /** Node flags for the Stratus process (--cpu-prof for the profile run). */
  stratusNodeArgs?: readonly string[];
  /** Extra broker.conf lines for Stratus only (the tiered workload). */
  stratusExtraConf?: Record<string, string | number | boolean>;
  dataDir?: string;
  keepDataDir?: boolean;
}

async function startStratus(s: DurabilitySettings, o: StartOptions): Promise<RunningCluster> {
  const confDir = fs.mkdtempSync(path.join(os.tmpdir(), "stratus-bench-conf-"));
  const extra = Object.entries(o.stratusExtraConf ?? {}).map(([k, v]) => `${k}=${v}\n`);
  const conf = path.join(confDir, "broker.conf");
  fs.writeFileSync(conf, brokerConfText(s) + extra.join(""));
  try {
    return await startStratusCluster({
      extraArgs: ["--config", conf],
      ...(o.stratusNodeArgs === undefined ? {} : { nodeArgs: o.stratusNodeArgs }),
      ...(o.dataDir === undefined ? {} : { dataDir: o.dataDir }),
      ...(o.keepDataDir === undefined ? {} : { keepDataDir: o.keepDataDir }),
    });
  } finally {
    fs.rmSync(confDir, { recursive: true, force: true });
  }
}

export async function startSystem(
  name: SystemName,
  settings: DurabilitySettings,
  options: StartOptions = {},
): Promise<BenchSystem> {
  if (name === "stratus") {
    const cluster = await startStratus(settings, options);
    const brokerPid = findPidByCmdline(["stratus.js", "dev", cluster.dataDir]);
    return { name, cluster, brokerPid, stop: () => cluster.stop() };
  }
  const cluster = await startApacheCluster({
    version: APACHE_BENCH_VERSION,
    mappedFileSizeCommitLog: settings.mappedFileSizeCommitLog,
    brokerConfig: brokerConfEntries(settings),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.keepDataDir === undefined ? {} : { keepDataDir: options.keepDataDir }),
  });
  const brokerPid = findPidByCmdline(["org.apache.rocketmq.broker.BrokerStartup", cluster.dataDir]);
  const stop = async () => {
    // a kept store is reused by the next start: shut down cleanly so that start is not a crash recovery
    if (!options.keepDataDir) killApache(cluster);
    await cluster.stop();
  };
  return { name, cluster, brokerPid, stop };
}
