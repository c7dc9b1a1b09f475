import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeCheckpoint } from "../../lib/store/checkpoint.js";
import type { Segment } from "../../lib/store/commitlog/segment.js";
import type { DefaultMessageStore } from "../../lib/store/default-message-store.js";
import { msg, openStore, smallConfig, tempDir } from "./store-fixtures.js";

let t: ReturnType<typeof tempDir>;
let store: DefaultMessageStore | undefined;

beforeEach(() => {
  t = tempDir();
});

afterEach(async () => {
  await store?.shutdown();
  store = undefined;
  t.cleanup();
});

/** A CommitLog sync the test releases by hand. */
function gatedSync() {
  const gates: (() => void)[] = [];
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    hook: (seg: Segment) => {
      calls++;
      return new Promise<void>((resolve) => gates.push(resolve)).then(() => seg.sync());
    },
    releaseAll: () => {
      for (const g of gates.splice(0)) g();
    },
  };
}

describe("SYNC_FLUSH", () => {
  it("resolves sends only after an fdatasync covers them, many sends sharing one", async () => {
    const gate = gatedSync();
    store = await openStore(smallConfig(t.dir, { flushDiskType: "SYNC_FLUSH" }), undefined, {
      commitLogSync: gate.hook,
    });
    let done = 0;
    const first = store.putMessage(msg()).then((r) => {
      done++;
      return r;
    });
    await new Promise((r) => setImmediate(r));
    expect(gate.calls).toBe(1);
    const rest = Array.from({ length: 50 }, () =>
      store?.putMessage(msg()).then((r) => {
        done++;
        return r;
      }),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(0);
    expect(gate.calls).toBe(1);
    gate.releaseAll();
    await first;
    await new Promise((r) => setTimeout(r, 20));
    expect(gate.calls).toBe(2);
    gate.releaseAll();
    const results = await Promise.all(rest);
    expect(results.every((r) => r?.status === "PUT_OK")).toBe(true);
    expect(done).toBe(51);
  });

  it("answers FLUSH_DISK_TIMEOUT when the fdatasync takes longer than syncFlushTimeout", async () => {
    const gate = gatedSync();
    store = await openStore(
      smallConfig(t.dir, { flushDiskType: "SYNC_FLUSH", syncFlushTimeout: 50 }),
      undefined,
      {
        commitLogSync: gate.hook,
      },
    );
    const r = await store.putMessage(msg());
    expect(r.status).toBe("FLUSH_DISK_TIMEOUT");
    expect(r.appended).toHaveLength(1);
    expect(store.getMessage("TopicTest", 0, 0, 1, 1 << 20).status).toBe("FOUND");
    gate.releaseAll();
    setTimeout(() => gate.releaseAll(), 50);
  });

  it("stops accepting writes after an fdatasync fails", async () => {
    store = await openStore(
      smallConfig(t.dir, { flushDiskType: "SYNC_FLUSH", syncFlushTimeout: 100 }),
      undefined,
      {
        commitLogSync: () => Promise.reject(new Error("EIO")),
      },
    );
    expect((await store.putMessage(msg())).status).toBe("FLUSH_DISK_TIMEOUT");
    const r = await store.putMessage(msg());
    expect(r.status).toBe("SERVICE_NOT_AVAILABLE");
    expect(r.remark).toMatch(/EIO/);
  });
});

describe("ASYNC_FLUSH", () => {
  it("answers before any fdatasync and flushes on the interval, advancing the checkpoint", async () => {
    const gate = gatedSync();
    store = await openStore(smallConfig(t.dir, { flushIntervalCommitLog: 30 }), undefined, {
      commitLogSync: gate.hook,
    });
    const r = await store.putMessage(msg());
    expect(r.status).toBe("PUT_OK");
    expect(gate.calls).toBe(0);
    await new Promise((res) => setTimeout(res, 80));
    expect(gate.calls).toBeGreaterThan(0);
    gate.releaseAll();
    await store.flush();
    const cp = decodeCheckpoint(readFileSync(join(t.dir, "checkpoint")));
    expect(cp.physicMsgTimestamp).toBe(r.appended[0]?.storeTimestamp);
    expect(cp.logicsMsgTimestamp).toBe(r.appended[0]?.storeTimestamp);
    expect(store.runtimeInfo().remainHowManyDataToFlush).toBe("0");
  });

  it("writes the CommitLog end into the checkpoint on shutdown and removes the abort file", async () => {
    store = await openStore(smallConfig(t.dir));
    await store.putMessage(msg());
    const end = store.getMaxPhyOffset();
    await store.shutdown();
    store = undefined;
    const cp = decodeCheckpoint(readFileSync(join(t.dir, "checkpoint")));
    expect(cp.confirmPhyOffset).toBe(end);
    expect(() => readFileSync(join(t.dir, "abort"))).toThrow();
  });
});
