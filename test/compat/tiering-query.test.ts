/**
 * Message queries through the unmodified Java clients' admin API over tiered history: `stratus dev` with
 * 64 KiB CommitLog segments and chunks and local retention of one segment. The 4.9.8 producer sends five
 * keyed messages, then enough 1 KiB messages that their CommitLog segment is uploaded and deleted from
 * local disk; the 4.9.8 and 5.3.3 clients then find each of the five by its offset message id
 * (VIEW_MESSAGE_BY_ID), by its unique key and by its key within a time range (QUERY_MESSAGE), read from
 * the object store. Always judged against Stratus: tiering is Stratus's own.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StratusDev } from "../integration/stratus-process.js";
import type { RunningCluster } from "../support/cluster.js";
import { explain, runScenario } from "./java-runners.js";
import { startTieredDev, type TieredDev, until } from "./tiered-dev.js";

const QUERY_COUNT = 5;
/** 1 KiB messages sent after the queried ones: several 64 KiB segments' worth. */
const BULK = 400;

/** The CommitLog offset an offset message id carries (its last 16 hex digits). */
function commitLogOffsetOf(offsetMsgId: string): number {
  return Number.parseInt(offsetMsgId.slice(-16), 16);
}

/** Start offset of the oldest CommitLog segment still on local disk (segment files are named by it). */
function firstLocalSegment(dataDir: string): number {
  const starts = readdirSync(join(dataDir, "broker", "commitlog")).map((f) => Number(f));
  return starts.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...starts);
}

describe("Java clients query tiered messages", () => {
  let dev: StratusDev;
  let cluster: RunningCluster;
  let sent: Record<string, unknown> | undefined;
  const run = `tq${Date.now().toString(16)}`;

  let tiered: TieredDev | undefined;

  beforeAll(async () => {
    tiered = await startTieredDev();
    ({ dev, cluster } = tiered);
  });

  afterAll(async () => {
    await tiered?.close();
  });

  it("4.9.8 sends five keyed messages, then enough that their CommitLog segment leaves local disk", async () => {
    const q = await runScenario("4.9.8", "query", cluster, { mode: "send", run, count: QUERY_COUNT });
    expect(q.result.ok, explain(q)).toBe(true);
    sent = q.result;
    const bulk = await runScenario("4.9.8", "send", cluster, {
      mode: "sync",
      count: BULK,
      queues: 2,
      bodySize: 1024,
    });
    expect(bulk.result.ok, explain(bulk)).toBe(true);
    const last = Math.max(...String(sent.offsetMsgIds).split(",").map(commitLogOffsetOf));
    await until(
      () => firstLocalSegment(dev.dataDir) > last,
      60_000,
      "the queried segment to leave local disk",
    );
  }, 240_000);

  for (const version of ["4.9.8", "5.3.3"]) {
    it(`${version} finds them from the object store by offset message id, unique key and key in a time range`, async () => {
      if (!sent) throw new Error("the query messages were not sent");
      const last = Math.max(...String(sent.offsetMsgIds).split(",").map(commitLogOffsetOf));
      expect(firstLocalSegment(dev.dataDir)).toBeGreaterThan(last);
      const found = await runScenario(version, "query", cluster, {
        mode: "find",
        run,
        count: QUERY_COUNT,
        topic: String(sent.topic),
        msgIds: String(sent.msgIds),
        offsetMsgIds: String(sent.offsetMsgIds),
        sentFrom: Number(sent.sentFrom),
        sentTo: Number(sent.sentTo),
      });
      const r = found.result;
      const why = explain(found);
      expect(r.byOffsetId, why).toEqual(Array(QUERY_COUNT).fill("ok"));
      expect(r.byUniqKey, why).toEqual(Array(QUERY_COUNT).fill("ok"));
      expect(r.byKey, why).toEqual(Array(QUERY_COUNT).fill("1x ok"));
      expect(r.sharedKeyFound, why).toBe(QUERY_COUNT);
      expect(r.beforeRangeFound, why).toBe(0);
      expect(r.unknownKeyFound, why).toBe(0);
      expect(r.failures, why).toEqual([]);
    }, 120_000);
  }
});
