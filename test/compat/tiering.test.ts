/**
 * The unmodified Java clients over tiered history: `stratus dev` with 64 KiB segments and chunks and local
 * retention of one segment. The 4.9.8 producer sends 2,000 1 KiB messages (its own read-back checks every
 * key); once 20+ chunks are in the manifest and the local CommitLog is down to the last segments, push
 * consumers of 4.9.8 and 5.3.3 (new groups, CONSUME_FROM_FIRST_OFFSET) consume every message from offset 0,
 * and groups starting at CONSUME_FROM_TIMESTAMP (SEARCH_OFFSET_BY_TIMESTAMP) start in tiered history exactly
 * where the store times say, with GET_EARLIEST_MSG_STORETIME giving each queue's first message.
 * Always judged against Stratus: tiering is Stratus's own.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteMetadataStore } from "../../lib/ports/embedded/sqlite-metadata-store.js";
import { listTierChunks } from "../../lib/ports/records/tier-manifest.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { pullAll } from "../integration/raw-client.js";
import type { StratusDev } from "../integration/stratus-process.js";
import type { RunningCluster } from "../support/cluster.js";
import { explain, runScenario } from "./java-runners.js";
import { startTieredDev, type TieredDev, until } from "./tiered-dev.js";

const COUNT = 2000;

async function chunkCount(dataDir: string): Promise<number> {
  const md = new SqliteMetadataStore(join(dataDir, "cloud", "metadata.sqlite"));
  try {
    return (await listTierChunks(md, "broker-a", { limit: 1000 })).chunks.length;
  } finally {
    await md.close();
  }
}

describe("Java clients read tiered history", () => {
  let dev: StratusDev;
  let cluster: RunningCluster;
  let topic: string;

  let tiered: TieredDev | undefined;

  beforeAll(async () => {
    tiered = await startTieredDev();
    ({ dev, cluster } = tiered);
  });

  afterAll(async () => {
    await tiered?.close();
  });

  it("4.9.8 sends 2,000 messages and reads every key back", async () => {
    const run = await runScenario("4.9.8", "send", cluster, {
      mode: "sync",
      count: COUNT,
      queues: 4,
      bodySize: 1024,
    });
    expect(run.result.ok, explain(run)).toBe(true);
    topic = run.result.topic as string;
    await until(async () => (await chunkCount(dev.dataDir)) >= 20, 60_000, "20 chunks in the manifest");
    await until(
      () => readdirSync(join(dev.dataDir, "broker", "commitlog")).length <= 2,
      60_000,
      "local retention",
    );
  }, 240_000);

  for (const version of ["4.9.8", "5.3.3"]) {
    it(`${version} push consumer gets every message from offset 0 once history left local disk`, async () => {
      expect(topic).toBeDefined();
      const run = await runScenario(version, "consume", cluster, {
        topic,
        group: `tiered_${version.replaceAll(".", "_")}`,
        expect: COUNT,
      });
      expect(run.result.ok, explain(run)).toBe(true);
      expect(run.result.consumed).toBe(COUNT);
    }, 240_000);
  }

  for (const version of ["4.9.8", "5.3.3"]) {
    it(`${version} consumer from a timestamp starts in tiered history where the store times say`, async () => {
      expect(topic).toBeDefined();
      const client = new RemotingClient();
      const times: number[][] = [];
      try {
        for (let q = 0; q < 4; q++)
          times.push((await pullAll(client, dev.brokerAddr, topic, q)).map((m) => m.storeTimestamp));
      } finally {
        client.close();
      }
      // the client's consumeTimestamp has whole seconds: the first second boundary after the first message
      const ts =
        (Math.floor(Math.min(...times.map((t) => t[0] ?? Number.MAX_SAFE_INTEGER)) / 1000) + 1) * 1000;
      const firstAt = times.map((t) => t.findIndex((x) => x >= ts));
      const expected = times.reduce(
        (n, t, q) => n + (firstAt[q] === -1 ? 0 : t.length - (firstAt[q] ?? 0)),
        0,
      );
      expect(expected).toBeGreaterThan(200); // far below the local tail (two 64 KiB segments)
      expect(expected).toBeLessThan(COUNT);
      const run = await runScenario(version, "consume", cluster, {
        topic,
        group: `tiered_ts_${version.replaceAll(".", "_")}`,
        expect: expected,
        fromTimestamp: ts,
      });
      expect(run.result.ok, explain(run)).toBe(true);
      expect(run.result.consumed).toBe(expected);
      const first = run.result.firstOffsets as Record<string, number>;
      for (let q = 0; q < 4; q++) if ((firstAt[q] ?? -1) >= 0) expect(first[String(q)]).toBe(firstAt[q]);
      const earliest = run.result.earliestMsgStoreTime as Record<string, number>;
      for (let q = 0; q < 4; q++) expect(earliest[String(q)]).toBe(times[q]?.[0]);
    }, 240_000);
  }
});
