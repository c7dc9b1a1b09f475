/**
 * Store-time lookups over tiered history (SEARCH_OFFSET_BY_TIMESTAMP, GET_EARLIEST_MSG_STORETIME): a queue whose
 * older part is only in the object store answers by-time searches and store times as a store holding it all
 * locally would. Store times come from a manual clock, two messages per millisecond value, so equal times and
 * both boundaries are exercised; every answer is checked against a linear scan of the known times.
 */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/common/clock.js";
import type { DefaultMessageStore } from "../../lib/store/default-message-store.js";
import { msg } from "../store/store-fixtures.js";
import { type Tiered, tierSandbox } from "./tier-fixtures.js";

const T0 = 1_800_000_000_000;
const N = 240;
/** Store time of the i-th message of queue 0 (queue 1 gets one message between each pair). */
const timeOf = (i: number) => T0 + 10 * Math.floor(i / 2);

const box = tierSandbox();
const tiered = box.tiered;

/** N messages on queue 0 at timeOf(i), queue 1 interleaved; returns the clock. */
async function fill(t: Tiered, clock: ManualClock): Promise<void> {
  for (let i = 0; i < N; i++) {
    clock.advance(timeOf(i) - clock.nowMs());
    const r = await t.store.putMessage(msg({ body: Buffer.alloc(900, i & 0xff) }));
    expect(r.status).toBe("PUT_OK");
    if (i % 2 === 1) await t.store.putMessage(msg({ body: Buffer.alloc(300), queueId: 1 }));
  }
}

const times = Array.from({ length: N }, (_, i) => timeOf(i));
const lower = (ts: number) => {
  const i = times.findIndex((t) => t >= ts);
  return i < 0 ? N : i;
};
const upper = (ts: number) => {
  let i = -1;
  times.forEach((t, k) => {
    if (t <= ts) i = k;
  });
  return Math.max(0, i);
};
/** Probe times: before the first, every message's time, between times, after the last. */
const probes = [T0 - 1, ...times.filter((_, i) => i % 7 === 0), ...times.map((t) => t + 5), T0 + 10 * N];

async function expectSearches(s: DefaultMessageStore): Promise<void> {
  for (const ts of probes) {
    expect(await s.getOffsetInQueueByTimeAsync("TopicTest", 0, ts, "LOWER"), `LOWER ${ts - T0}`).toBe(
      lower(ts),
    );
    expect(await s.getOffsetInQueueByTimeAsync("TopicTest", 0, ts, "UPPER"), `UPPER ${ts - T0}`).toBe(
      upper(ts),
    );
  }
  for (const q of [0, 1, 77, N - 1])
    expect(await s.getMessageStoreTimeStampAsync("TopicTest", 0, q)).toBe(timeOf(q));
}

describe("store-time lookups over tiered history", () => {
  it("answer from the object store alone (empty disk rebuilt from the manifest) as local data would", async () => {
    const clock = new ManualClock(T0);
    const a = await tiered("a", { clock });
    await fill(a, clock);
    expect(await a.tier.drain(5000)).toBe(true);
    expect(a.tier.status().chunks).toBeGreaterThan(10);

    const b = await tiered("b", { clock });
    expect(b.store.getEarliestMessageTime("TopicTest", 0)).toBe(-1); // the local disk holds nothing
    expect(await b.store.getEarliestMessageTimeAsync("TopicTest", 0)).toBe(T0);
    await expectSearches(b.store);
  });

  it("narrows a search to one chunk with the manifest's time ranges before reading objects", async () => {
    const clock = new ManualClock(T0);
    const a = await tiered("a", { clock });
    await fill(a, clock);
    await a.tier.drain(5000);
    const b = await tiered("b", { clock });
    const chunks = b.tier.status().chunks;
    const before = box.cloud.objects.gets;
    expect(await b.store.getOffsetInQueueByTimeAsync("TopicTest", 0, timeOf(150) + 5, "LOWER")).toBe(
      lower(timeOf(150) + 5),
    );
    const gets = box.cloud.objects.gets - before;
    // one chunk read: its index and the block its probes fall in (a chunk is smaller than a read block)
    expect(chunks).toBeGreaterThan(10);
    expect(gets).toBeGreaterThan(0);
    expect(gets).toBeLessThanOrEqual(2);
  });

  it("answer over a local tail and a tiered head together", async () => {
    const clock = new ManualClock(T0);
    const a = await tiered("a", { clock, store: { maxCommitLogBytes: 64 * 1024 } });
    await fill(a, clock);
    await a.tier.drain(5000);
    a.store.runRetention();
    expect(a.store.getMinPhyOffset()).toBeGreaterThan(0); // the head left local disk
    expect(await a.store.getEarliestMessageTimeAsync("TopicTest", 0)).toBe(T0);
    await expectSearches(a.store);
  });

  it("take the earliest store time from the oldest chunk object-store retention kept", async () => {
    const clock = new ManualClock(T0);
    const a = await tiered("a", {
      clock,
      tier: { objectStoreRetentionHours: 1 },
      store: { maxCommitLogBytes: 0 },
    });
    for (let i = 0; i < 40; i++) await a.store.putMessage(msg({ body: Buffer.alloc(900) }));
    await a.tier.drain(5000);
    clock.advance(2 * 3_600_000);
    const kept = clock.nowMs();
    for (let i = 0; i < 40; i++) await a.store.putMessage(msg({ body: Buffer.alloc(900) }));
    await a.tier.drain(5000);
    expect(await a.tier.runRetention()).toBeGreaterThan(0);
    const b = await tiered("b", { clock });
    expect(await b.store.getMinOffsetInQueue("TopicTest", 0)).toBe(40);
    expect(await b.store.getEarliestMessageTimeAsync("TopicTest", 0)).toBe(kept);
    expect(await b.store.getOffsetInQueueByTimeAsync("TopicTest", 0, T0, "LOWER")).toBe(40);
  });
});
