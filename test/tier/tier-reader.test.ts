/**
 * TierReader's batched record reads: a pull's records are sliced out of the 1 MiB blocks it needs, looked
 * up once per pull. Chunks here are bigger than a block, so records straddle block edges and pulls straddle
 * chunk edges; two queues interleave in the CommitLog, so a pull's records are not contiguous.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TIER_READ_BLOCK_BYTES } from "../../lib/common/limits.js";
import { decodeMessageRecord } from "../../lib/protocol/message-record.js";
import { msg } from "../store/store-fixtures.js";
import { type Cloud, openCloud, openTiered, type Tiered, tempRoot } from "./tier-fixtures.js";

let root: ReturnType<typeof tempRoot>;
let cloud: Cloud;
let t: Tiered | undefined;

beforeEach(() => {
  root = tempRoot();
  cloud = openCloud(root.dir);
});

afterEach(async () => {
  await t?.close();
  await cloud.close();
  root.cleanup();
});

const BODY = 3000;
/** CommitLog segments; a chunk never crosses one, so they must be bigger than a chunk here. */
const SEGMENT = 4 * TIER_READ_BLOCK_BYTES;
const body = (q: number, i: number) =>
  Buffer.concat([Buffer.from(`q${q}m${i}|`), Buffer.alloc(BODY, i & 0xff)]);

describe("TierReader.readRecords", () => {
  it("serves 32-message pulls across block and chunk edges, every record whole and in order", async () => {
    t = await openTiered(join(root.dir, "a"), cloud, {
      store: { mappedFileSizeCommitLog: SEGMENT, maxCommitLogBytes: SEGMENT },
      // 2.5 MiB chunks: [0, 2.5) and [2.5, 4) MiB of each segment; records straddle the 1 MiB block edges
      tier: { chunkBytes: Math.floor(2.5 * TIER_READ_BLOCK_BYTES), readCacheBytes: 8 * 1024 * 1024 },
    });
    const perQueue = 1400; // ~9 MB over two queues: the first two 4 MiB segments go to the tier only
    for (let i = 0; i < perQueue; i++) {
      for (const queueId of [0, 1]) {
        const r = await t.store.putMessage(msg({ body: body(queueId, i), queueId }));
        expect(r.status).toBe("PUT_OK");
      }
    }
    expect(await t.tier.drain(10_000)).toBe(true);
    await t.store.flush();
    t.store.runRetention();
    expect(t.store.getMinPhyOffset()).toBe(2 * SEGMENT);
    expect(t.tier.status().chunks).toBeGreaterThanOrEqual(4);
    for (const queueId of [0, 1]) {
      const seen: string[] = [];
      let offset = 0;
      while (offset < perQueue) {
        const r = await t.store.getMessageAsync("TopicTest", queueId, offset, 32, 1 << 20);
        expect(r.status).toBe("FOUND");
        for (const rec of r.messages) {
          const m = decodeMessageRecord(rec);
          expect(m.queueOffset).toBe(seen.length);
          expect(m.body.length).toBe(BODY + `q${queueId}m${seen.length}|`.length);
          expect(m.body[m.body.length - 1]).toBe(seen.length & 0xff);
          seen.push(m.body.toString("latin1").split("|")[0] as string);
        }
        offset = r.nextBeginOffset;
      }
      expect(seen).toEqual(Array.from({ length: perQueue }, (_, i) => `q${queueId}m${i}`));
    }
  });
});
