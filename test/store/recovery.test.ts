import { closeSync, existsSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/common/clock.js";
import { decodeMessageRecord } from "../../lib/protocol/message-record.js";
import type { DefaultMessageStore } from "../../lib/store/default-message-store.js";
import type { AppendedMessage, MessageStoreConfig } from "../../lib/store/message-store.js";
import {
  crashCopy,
  msg,
  openStore,
  overwriteCommitLog,
  smallConfig,
  tearCommitLog,
  tempDir,
} from "./store-fixtures.js";

const SEG = 64 * 1024;
let t: ReturnType<typeof tempDir>;
let clock: ManualClock;
let store: DefaultMessageStore;
const opened: DefaultMessageStore[] = [];

async function open(config: MessageStoreConfig): Promise<DefaultMessageStore> {
  const s = await openStore(config, clock);
  opened.push(s);
  return s;
}

beforeEach(async () => {
  t = tempDir();
  clock = new ManualClock();
  store = await open(smallConfig(t.dir));
});

afterEach(async () => {
  for (const s of opened.splice(0)) await s.shutdown();
  t.cleanup();
});

/** Puts `n` messages round-robin over `queues` queues, 1 s apart on the store clock. */
async function putMany(
  s: DefaultMessageStore,
  n: number,
  queues = 2,
  bodySize = 3000,
): Promise<AppendedMessage[]> {
  const out: AppendedMessage[] = [];
  for (let i = 0; i < n; i++) {
    clock.advance(1000);
    const r = await s.putMessage(
      msg({ queueId: i % queues, body: Buffer.alloc(bodySize, i), keys: `k${i}`, uniqKey: `U${i}` }),
    );
    expect(r.status).toBe("PUT_OK");
    out.push(r.appended[0] as AppendedMessage);
  }
  return out;
}

function readAll(s: DefaultMessageStore, queueId: number): number[] {
  const out: number[] = [];
  let offset = s.getMinOffsetInQueue("TopicTest", queueId);
  for (;;) {
    const r = s.getMessage("TopicTest", queueId, offset, 32, 1 << 22);
    if (r.status !== "FOUND") return out;
    for (const m of r.messages) out.push(decodeMessageRecord(m).body[0] ?? -1);
    offset = r.nextBeginOffset;
  }
}

describe("clean restart", () => {
  it("keeps every message, index key and offset counter", async () => {
    const appended = await putMany(store, 50);
    await store.shutdown();
    expect(existsSync(join(t.dir, "abort"))).toBe(false);
    const again = await open(smallConfig(t.dir));
    expect(readAll(again, 0)).toEqual(Array.from({ length: 25 }, (_, i) => (i * 2) % 256));
    expect(again.getMaxPhyOffset()).toBe(store.getMaxPhyOffset());
    expect(again.queryMessage("TopicTest", "k7", 10, 0, Number.MAX_SAFE_INTEGER).messages).toHaveLength(1);
    const next = await again.putMessage(msg({ queueId: 1 }));
    expect(next.appended[0]?.queueOffset).toBe(25);
    const last = appended[appended.length - 1] as AppendedMessage;
    expect(next.appended[0]?.wroteOffset).toBe(last.wroteOffset + last.wroteBytes);
  });
});

describe("crash recovery", () => {
  it("keeps every whole record after a process crash", async () => {
    await putMany(store, 40);
    const copy = crashCopy(t.dir);
    expect(existsSync(join(copy, "abort"))).toBe(true);
    const s = await open(smallConfig(copy));
    expect(readAll(s, 0)).toHaveLength(20);
    expect(readAll(s, 1)).toHaveLength(20);
    expect(s.queryMessage("TopicTest", "U39", 10, 0, Number.MAX_SAFE_INTEGER).messages).toHaveLength(1);
    expect(s.queryMessage("TopicTest", "k0", 10, 0, Number.MAX_SAFE_INTEGER).messages).toHaveLength(1);
  });

  it("cuts a record torn in the middle and reuses its offsets", async () => {
    const appended = await putMany(store, 10);
    const last = appended[9] as AppendedMessage;
    const copy = crashCopy(t.dir);
    tearCommitLog(copy, last.wroteOffset + 100, SEG);
    const s = await open(smallConfig(copy));
    expect(s.getMaxPhyOffset()).toBe(last.wroteOffset);
    expect(s.getMaxOffsetInQueue("TopicTest", 1)).toBe(4);
    expect(readAll(s, 1)).toEqual([1, 3, 5, 7]);
    const r = await s.putMessage(msg({ queueId: 1 }));
    expect(r.appended[0]).toMatchObject({ queueOffset: 4, wroteOffset: last.wroteOffset });
  });

  it("ignores garbage after the last record, for good", async () => {
    const appended = await putMany(store, 5);
    const last = appended[4] as AppendedMessage;
    const end = last.wroteOffset + last.wroteBytes;
    const copy = crashCopy(t.dir);
    overwriteCommitLog(copy, end, SEG, Buffer.from("0000100adaa320a7deadbeef".repeat(40), "hex"));
    const s = await open(smallConfig(copy));
    expect(s.getMaxPhyOffset()).toBe(end);
    await s.putMessage(msg({ body: "short" }));
    await s.shutdown();
    const s2 = await open(smallConfig(copy));
    expect(s2.getMaxOffsetInQueue("TopicTest", 0)).toBe(4);
    expect(s2.getMaxPhyOffset()).toBe(s.getMaxPhyOffset());
  });

  it("cuts at a record whose body CRC does not match", async () => {
    const appended = await putMany(store, 6);
    const victim = appended[3] as AppendedMessage;
    const copy = crashCopy(t.dir);
    overwriteCommitLog(copy, victim.wroteOffset + 100, SEG, Buffer.from([0xee]));
    const s = await open(smallConfig(copy));
    expect(s.getMaxPhyOffset()).toBe(victim.wroteOffset);
    expect(readAll(s, 1)).toEqual([1]);
  });

  it("drops a torn first record of a new file and continues at that file's start", async () => {
    const appended = await putMany(store, 25);
    const rolled = appended.find((a) => a.wroteOffset === SEG);
    expect(rolled).toBeDefined();
    const copy = crashCopy(t.dir);
    tearCommitLog(copy, SEG + 10, SEG);
    const s = await open(smallConfig(copy));
    expect(s.getMaxPhyOffset()).toBe(SEG);
    const r = await s.putMessage(msg());
    expect(r.appended[0]?.wroteOffset).toBe(SEG);
  });

  it("rebuilds lost ConsumeQueues from the CommitLog", async () => {
    await putMany(store, 30, 3);
    const copy = crashCopy(t.dir);
    rmSync(join(copy, "consumequeue"), { recursive: true });
    rmSync(join(copy, "checkpoint"));
    const s = await open(smallConfig(copy));
    for (let q = 0; q < 3; q++) expect(readAll(s, q)).toHaveLength(10);
  });

  it("re-dispatches records newer than the checkpoint when their units were lost", async () => {
    await putMany(store, 10, 1, 500);
    await store.flush();
    clock.advance(10_000);
    await putMany(store, 10, 1, 500);
    const copy = crashCopy(t.dir);
    // the units of the last 10 messages never reached the disk
    const cq = join(copy, "consumequeue", "TopicTest", "0", "00000000000000000000");
    const fd = openSync(cq, "r+");
    writeSync(fd, Buffer.alloc(200), 0, 200, 200);
    closeSync(fd);
    const s = await open(smallConfig(copy));
    expect(readAll(s, 0)).toEqual(Array.from({ length: 20 }, (_, i) => i % 10));
  });

  it("survives a crash at any byte of the CommitLog", async () => {
    const appended = await putMany(store, 24, 3, 2000);
    const end = store.getMaxPhyOffset();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: end }), async (cut) => {
        const copy = crashCopy(t.dir);
        if (cut < end) tearCommitLog(copy, cut, SEG);
        const s = await openStore(smallConfig(copy), clock);
        try {
          const whole = appended.filter((a) => a.wroteOffset + a.wroteBytes <= cut);
          expect(s.getMaxPhyOffset()).toBe(
            whole.length === 24 ? end : (appended[whole.length]?.wroteOffset ?? 0),
          );
          for (let q = 0; q < 3; q++) {
            const expected = appended.map((_, i) => i).filter((i) => i % 3 === q && i < whole.length);
            expect(readAll(s, q)).toEqual(expected);
            expect(s.getMaxOffsetInQueue("TopicTest", q)).toBe(expected.length);
          }
        } finally {
          await s.shutdown();
          rmSync(copy, { recursive: true, force: true });
        }
      }),
      { numRuns: 12 },
    );
  });
});

describe("rebuilding a queue whose first messages are gone", () => {
  it("starts the rebuilt ConsumeQueue at the first surviving offset", async () => {
    const s = await open(smallConfig(t.dir, { fileReservedTime: 1, mappedFileSizeConsumeQueue: 7 * 20 }));
    await putMany(s, 60, 1, 6000);
    clock.advance(100 * 3_600_000);
    s.runRetention();
    const min = s.getMinOffsetInQueue("TopicTest", 0);
    expect(min).toBeGreaterThan(7);
    const copy = crashCopy(t.dir);
    rmSync(join(copy, "consumequeue"), { recursive: true });
    rmSync(join(copy, "checkpoint"));
    const r = await open(smallConfig(copy, { fileReservedTime: 1, mappedFileSizeConsumeQueue: 7 * 20 }));
    expect(r.getMinOffsetInQueue("TopicTest", 0)).toBe(min);
    expect(r.getMaxOffsetInQueue("TopicTest", 0)).toBe(60);
    expect(readAll(r, 0)).toEqual(Array.from({ length: 60 - min }, (_, i) => i + min));
    expect(r.getMessage("TopicTest", 0, 0, 1, 1 << 20)).toMatchObject({
      status: "OFFSET_TOO_SMALL",
      nextBeginOffset: min,
    });
  });
});

describe("NUL characters in properties", () => {
  it("keeps a producer's NUL characters on a clean restart and inside the log after a crash", async () => {
    await store.putMessage(msg({ props: { BIN: "a\u0000b" } }));
    await store.putMessage(msg({ props: { BIN: "c\u0000d" } }));
    await store.putMessage(msg());
    const copy = crashCopy(t.dir);
    await store.shutdown();
    const clean = await open(smallConfig(t.dir));
    expect(clean.getMaxOffsetInQueue("TopicTest", 0)).toBe(3);
    const crashed = await open(smallConfig(copy));
    expect(crashed.getMaxOffsetInQueue("TopicTest", 0)).toBe(3);
  });

  it("cuts a last record whose properties end in zeros after a crash", async () => {
    const a = await putMany(store, 3, 1, 100);
    const last = a[2] as AppendedMessage;
    const copy = crashCopy(t.dir);
    overwriteCommitLog(copy, last.wroteOffset + last.wroteBytes - 6, SEG, Buffer.alloc(6));
    const s = await open(smallConfig(copy));
    expect(s.getMaxOffsetInQueue("TopicTest", 0)).toBe(2);
    expect(s.getMaxPhyOffset()).toBe(last.wroteOffset);
  });
});
