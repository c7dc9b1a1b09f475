/**
 * `stratus dev` set up for the Java clients' tiering judges: 64 KiB CommitLog segments and chunks, chunks cut
 * after 200 ms, local retention of one segment, so history leaves local disk after a few hundred KiB.
 */
import { removeDir, type StratusDev, startStratusDev } from "../integration/stratus-process.js";
import type { RunningCluster } from "../support/cluster.js";

export const TIERED_CONF = [
  "mappedFileSizeCommitLog=65536",
  "tierChunkBytes=65536",
  "tierChunkMaxAgeMs=200",
  "tierLocalRetentionBytes=65536",
].join("\n");

export interface TieredDev {
  dev: StratusDev;
  cluster: RunningCluster;
  /** Stops the process and removes its data. */
  close(): Promise<void>;
}

export async function startTieredDev(): Promise<TieredDev> {
  const dev = await startStratusDev({ brokerConf: `${TIERED_CONF}\n` });
  const cluster: RunningCluster = {
    target: "stratus",
    description: "stratus dev (tiered)",
    namesrvAddr: dev.namesrvAddr,
    brokerAddr: dev.brokerAddr,
    clusterName: undefined,
    brokerName: undefined,
    dataDir: dev.dataDir,
    recentOutput: () => dev.output().slice(-4000),
    stop: async () => {
      await dev.stop();
    },
  };
  return {
    dev,
    cluster,
    close: async () => {
      await dev.stop();
      removeDir(dev.dataDir);
    },
  };
}

/** Polls `cond` every 200 ms until it holds; throws naming `what` after `ms`. */
export async function until(cond: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
