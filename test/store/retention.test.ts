import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/common/clock.js";
import type { DefaultMessageStore } from "../../lib/store/default-message-store.js";
import type { MessageStoreConfig } from "../../lib/store/message-store.js";
import { msg, openStore, smallConfig, tempDir } from "./store-fixtures.js";

const SEG = 64 * 1024;
const HOUR = 3_600_000;
let t: ReturnType<typeof tempDir>;
let clock: ManualClock;
let store: DefaultMessageStore | undefined;

async function open(over: Partial<MessageStoreConfig> = {}): Promise<DefaultMessageStore> {
  store = await openStore(smallConfig(t.dir, over), clock);
  return store;
}

beforeEach(() => {
  t = tempDir();
  clock = new ManualClock();
});

afterEach(async () => {
  await store?.shutdown();
  store = undefined;
  t.cleanup();
});

/** Fills `files` CommitLog files (each ~6 records of 10 KB) on queue 0, stepping the clock 1 min per message. */
async function fillFiles(s: DefaultMessageStore, files: number): Promise<void> {
  while (s.getMaxPhyOffset() < files * SEG + 1) {
    clock.advance(60_000);
    await s.putMessage(
      msg({ body: Buffer.alloc(10_000), keys: `k${s.getMaxOffsetInQueue("TopicTest", 0)}` }),
    );
  }
}

const commitLogFiles = () => readdirSync(join(t.dir, "commitlog")).length;

describe("runRetention", () => {
  it("deletes CommitLog files older than fileReservedTime, never the active one", async () => {
    const s = await open({ fileReservedTime: 1 });
    await fillFiles(s, 3);
    expect(commitLogFiles()).toBe(4);
    expect(s.runRetention()).toBe(0);
    clock.advance(100 * HOUR);
    expect(s.runRetention()).toBe(3);
    expect(commitLogFiles()).toBe(1);
    expect(s.getMinPhyOffset()).toBe(3 * SEG);
    expect(s.runRetention()).toBe(0);
  });

  it("deletes only the files whose successor started more than fileReservedTime ago", async () => {
    const s = await open({ fileReservedTime: 1 });
    await fillFiles(s, 1);
    clock.advance(2 * HOUR);
    await fillFiles(s, 2);
    expect(s.runRetention()).toBe(1);
    expect(s.getMinPhyOffset()).toBe(SEG);
  });

  it("deletes the oldest files while the CommitLog spans more than maxCommitLogBytes", async () => {
    const s = await open({ maxCommitLogBytes: 2 * SEG });
    await fillFiles(s, 4);
    expect(s.runRetention()).toBeGreaterThan(0);
    expect(s.getMaxPhyOffset() - s.getMinPhyOffset()).toBeLessThanOrEqual(2 * SEG);
  });

  it("moves ConsumeQueue min offsets up so old offsets answer OFFSET_TOO_SMALL", async () => {
    const s = await open({ fileReservedTime: 1, mappedFileSizeConsumeQueue: 5 * 20 });
    await fillFiles(s, 3);
    const cqFiles = () => readdirSync(join(t.dir, "consumequeue", "TopicTest", "0")).length;
    const before = cqFiles();
    clock.advance(100 * HOUR);
    s.runRetention();
    const min = s.getMinOffsetInQueue("TopicTest", 0);
    expect(min).toBeGreaterThan(0);
    expect(cqFiles()).toBeLessThan(before);
    expect(s.getMessage("TopicTest", 0, 0, 32, 1 << 20)).toMatchObject({
      status: "OFFSET_TOO_SMALL",
      nextBeginOffset: min,
    });
    const r = s.getMessage("TopicTest", 0, min, 1, 1 << 20);
    expect(r.status).toBe("FOUND");
    expect(s.getEarliestMessageTime("TopicTest", 0)).toBeGreaterThan(0);
  });

  it("drops index files wholly older than the CommitLog", async () => {
    const s = await open({ fileReservedTime: 1, maxIndexNum: 5 });
    await fillFiles(s, 3);
    const indexFiles = () => readdirSync(join(t.dir, "index")).length;
    const before = indexFiles();
    expect(before).toBeGreaterThan(2);
    clock.advance(100 * HOUR);
    s.runRetention();
    expect(indexFiles()).toBeLessThan(before);
    expect(s.queryMessage("TopicTest", "k0", 10, 0, Number.MAX_SAFE_INTEGER).messages).toEqual([]);
    const last = s.getMaxOffsetInQueue("TopicTest", 0) - 1;
    expect(s.queryMessage("TopicTest", `k${last}`, 10, 0, Number.MAX_SAFE_INTEGER).messages).toHaveLength(1);
  });

  it("keeps queue offsets counting after a restart that follows retention", async () => {
    const s = await open({ fileReservedTime: 1 });
    await fillFiles(s, 3);
    const max = s.getMaxOffsetInQueue("TopicTest", 0);
    clock.advance(100 * HOUR);
    s.runRetention();
    await s.shutdown();
    const again = await open({ fileReservedTime: 1 });
    expect(again.getMaxOffsetInQueue("TopicTest", 0)).toBe(max);
    expect((await again.putMessage(msg())).appended[0]?.queueOffset).toBe(max);
  });
});
