/**
 * Which server the compatibility judges talk to. `STRATUS_COMPAT_TARGET=stratus` (the default) starts
 * `node bin/stratus.js dev`; `apache` starts Apache RocketMQ's own NameServer and Broker from the Maven
 * jars, to prove each scenario against the reference before it judges Stratus.
 */
import { startApacheCluster } from "./apache-cluster.js";
import type { CompatTarget } from "./cluster-env.js";
import { apacheServerFor, compatTarget } from "./cluster-env.js";
import { startStratusCluster } from "./stratus-cluster.js";

export type { CompatTarget } from "./cluster-env.js";
export { apacheServerFor, compatTarget, keepDataDirs } from "./cluster-env.js";

/** A NameServer + one master Broker, started for a test and stopped by it. */
export interface RunningCluster {
  readonly target: CompatTarget;
  /** e.g. "stratus" or "apache 5.3.3" */
  readonly description: string;
  /** host:port of the NameServer */
  readonly namesrvAddr: string;
  /** host:port the Broker advertises */
  readonly brokerAddr: string;
  /** The names the launcher configured, when it chose them (Apache); undefined when the server chose. */
  readonly clusterName: string | undefined;
  readonly brokerName: string | undefined;
  /** Server data and logs live here (removed by stop() unless STRATUS_COMPAT_KEEP=1). */
  readonly dataDir: string;
  /** Tail of the servers' output, for failure messages. */
  recentOutput(): string;
  stop(): Promise<void>;
}

/** Starts the selected target; `clientVersion` picks the Apache server line when the target is Apache. */
export function startCompatCluster(clientVersion: string, target = compatTarget()): Promise<RunningCluster> {
  if (target === "apache") return startApacheCluster({ version: apacheServerFor(clientVersion) });
  return startStratusCluster();
}
