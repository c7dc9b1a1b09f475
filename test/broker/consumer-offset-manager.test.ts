import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type BrokerConfig, buildBrokerConfig } from "../../lib/broker/broker-config.js";
import type { ConsumerOffsetStore, OffsetEntry, OffsetQueue } from "../../lib/broker/config-stores.js";
import { ConsumerOffsetManager } from "../../lib/broker/consumer-offset-manager.js";
import { StratusError } from "../../lib/common/errors.js";

const dirs: string[] = [];
function config(): BrokerConfig {
  const dir = mkdtempSync(join(tmpdir(), "stratus-offsets-"));
  dirs.push(dir);
  return buildBrokerConfig("test", [["storePathRootDir", dir]]).config;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A store that records each save and fails while `down`. */
function recordingStore(initial: OffsetEntry[] = []) {
  const saves: Array<{ changed: OffsetEntry[]; removed: OffsetQueue[] }> = [];
  const state = { down: false, saves };
  const store: ConsumerOffsetStore = {
    load: async () => initial,
    save: async (_table, changed, removed) => {
      if (state.down) throw new StratusError("METADATA_UNAVAILABLE", "down (test)");
      saves.push({ changed: [...changed], removed: [...removed] });
    },
  };
  return { store, state };
}

describe("ConsumerOffsetManager", () => {
  it("keeps Apache's consumerOffset.json layout on the broker's disk and reads it back", async () => {
    const c = config();
    const m = new ConsumerOffsetManager(c);
    await m.load();
    m.commitOffset("G", "T", 0, 42);
    m.commitOffset("G", "T", 3, 7);
    await m.shutdown();
    const file = JSON.parse(readFileSync(join(c.storePathRootDir, "config", "consumerOffset.json"), "utf8"));
    expect(file).toEqual({ offsetTable: { "T@G": { "0": 42, "3": 7 } } });
    const again = new ConsumerOffsetManager(c);
    await again.load();
    expect(again.queryOffset("G", "T", 3)).toBe(7);
    expect(again.queryOffset("G", "T", 1)).toBe(-1);
  });

  it("saves many commits of a queue as one entry per save, only what changed since the last one", async () => {
    const { store, state } = recordingStore();
    const m = new ConsumerOffsetManager(config(), store);
    await m.load();
    for (let i = 1; i <= 100; i++) m.commitOffset("G", "T", i % 2, i);
    await m.persist();
    await m.persist();
    m.commitOffset("G", "T", 1, 500);
    await m.persist();
    expect(state.saves).toEqual([
      {
        changed: [
          { group: "G", topic: "T", queueId: 1, offset: 99 },
          { group: "G", topic: "T", queueId: 0, offset: 100 },
        ],
        removed: [],
      },
      { changed: [{ group: "G", topic: "T", queueId: 1, offset: 500 }], removed: [] },
    ]);
  });

  it("offers a failed save's changes again, with the newest offsets", async () => {
    const { store, state } = recordingStore();
    const m = new ConsumerOffsetManager(config(), store);
    m.commitOffset("G", "T", 0, 1);
    state.down = true;
    await m.persist();
    expect(m.lastPersistError).toBeInstanceOf(StratusError);
    m.commitOffset("G", "T", 0, 2);
    m.commitOffset("G", "T", 1, 9);
    state.down = false;
    await m.persist();
    expect(m.lastPersistError).toBeUndefined();
    expect(state.saves).toEqual([
      {
        changed: [
          { group: "G", topic: "T", queueId: 0, offset: 2 },
          { group: "G", topic: "T", queueId: 1, offset: 9 },
        ],
        removed: [],
      },
    ]);
  });

  it("forgets removed groups' and topics' queues in the next save", async () => {
    const { store, state } = recordingStore([
      { group: "G", topic: "T", queueId: 0, offset: 5 },
      { group: "H", topic: "T", queueId: 0, offset: 6 },
      { group: "G", topic: "U", queueId: 2, offset: 7 },
    ]);
    const m = new ConsumerOffsetManager(config(), store);
    await m.load();
    expect(m.whichTopicByConsumer("G").sort()).toEqual(["T", "U"]);
    m.removeGroup("G");
    await m.persist();
    expect(state.saves[0]?.removed).toEqual([
      { group: "G", topic: "T", queueId: 0 },
      { group: "G", topic: "U", queueId: 2 },
    ]);
    expect(m.whichGroupByTopic("T")).toEqual(["H"]);
    expect(m.queryOffset("G", "U", 2)).toBe(-1);
  });

  it("never runs two saves at once", async () => {
    let active = 0;
    let maxActive = 0;
    const store: ConsumerOffsetStore = {
      load: () => [],
      save: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
      },
    };
    const m = new ConsumerOffsetManager(config(), store);
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 5; i++) {
      m.commitOffset("G", "T", 0, i);
      saves.push(m.persist());
    }
    await Promise.all(saves);
    expect(maxActive).toBe(1);
  });

  it("retries the final save at shutdown and rejects when the store stays down", async () => {
    const { store, state } = recordingStore();
    const m = new ConsumerOffsetManager(config(), store);
    m.commitOffset("G", "T", 0, 1);
    state.down = true;
    const started = Date.now();
    await expect(m.shutdown()).rejects.toThrow(/down/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    state.down = false;
    await m.shutdown();
    expect(state.saves).toHaveLength(1);
  });
});
