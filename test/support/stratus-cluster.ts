/**
 * Stratus's own NameServer + Broker, started the way a developer does: `node bin/stratus.js dev` on free
 * loopback ports with a throwaway data directory. Ready when it prints
 * `stratus ready: namesrv <host:port> broker <host:port>`; stopped with SIGTERM.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../setup/java-deps.mjs";
import type { RunningCluster } from "./cluster.js";
import { keepDataDirs } from "./cluster-env.js";
import { ManagedProcess } from "./managed-process.js";
import { findFreePorts } from "./ports.js";

const LOOPBACK = "127.0.0.1";
const DEFAULT_START_TIMEOUT_MS = 60_000;
/** Broker ports are chosen with Apache's neighbours free too, in case Stratus mirrors them. */
const BROKER_PORT_OFFSETS = [-2, 0, 1];
export const READY_LINE = /^stratus ready: namesrv (\S+) broker (\S+)\s*$/;

export interface StratusClusterOptions {
  dataDir?: string;
  /** Extra `stratus dev` arguments. */
  extraArgs?: readonly string[];
  /** Node options placed before the entry script (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  nodeArgs?: readonly string[];
  startTimeoutMs?: number;
  keepDataDir?: boolean;
}

export async function startStratusCluster(options: StratusClusterOptions = {}): Promise<RunningCluster> {
  const entry = path.join(ROOT, "bin", "stratus.js");
  if (!fs.existsSync(path.join(ROOT, "dist", "lib", "cli", "main.js"))) {
    throw new Error("dist/ is missing: run `npm run build` before starting Stratus (npm test does)");
  }
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "stratus-compat-"));
  const namesrvPort = await findFreePorts([0]);
  let brokerPort = await findFreePorts(BROKER_PORT_OFFSETS);
  while (Math.abs(brokerPort - namesrvPort) <= 2) brokerPort = await findFreePorts(BROKER_PORT_OFFSETS);
  const server = new ManagedProcess({
    name: "stratus dev",
    command: process.execPath,
    args: [
      ...(options.nodeArgs ?? []),
      entry,
      "dev",
      "--data-dir",
      path.join(dataDir, "data"),
      "--namesrv-port",
      String(namesrvPort),
      "--broker-port",
      String(brokerPort),
      "--host",
      LOOPBACK,
      ...(options.extraArgs ?? []),
    ],
    cwd: ROOT,
    logFile: path.join(dataDir, "stratus.out"),
  });
  let ready: RegExpMatchArray;
  try {
    ready = await server.waitForLine(READY_LINE, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  } catch (err) {
    await server.stop();
    throw err;
  }
  const keep = options.keepDataDir ?? keepDataDirs();
  return {
    target: "stratus",
    description: "stratus",
    namesrvAddr: ready[1] ?? "",
    brokerAddr: ready[2] ?? "",
    clusterName: undefined,
    brokerName: undefined,
    dataDir,
    recentOutput: () => `--- stratus dev (${server.logFile})\n${server.recentOutput()}`,
    stop: async () => {
      await server.stop();
      if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
