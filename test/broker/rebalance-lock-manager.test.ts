import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RebalanceLockManager } from "../../lib/broker/rebalance-lock-manager.js";
import { ManualClock } from "../../lib/common/clock.js";
import type { MessageQueue } from "../../lib/protocol/body/json-body.js";

const mq = (queueId: number, topic = "T"): MessageQueue => ({ topic, brokerName: "b", queueId });

describe("RebalanceLockManager", () => {
  it("is re-entrant for the holder and refreshes its lease", () => {
    const clock = new ManualClock();
    const locks = new RebalanceLockManager(clock);
    expect(locks.tryLock("g", mq(0), "c1")).toBe(true);
    clock.advance(50_000);
    expect(locks.tryLock("g", mq(0), "c1")).toBe(true);
    clock.advance(50_000);
    expect(locks.tryLock("g", mq(0), "c2")).toBe(false);
    expect(locks.isLocked("g", mq(0), "c1")).toBe(true);
  });

  it("keeps groups and topics apart", () => {
    const locks = new RebalanceLockManager(new ManualClock());
    expect(locks.tryLock("g1", mq(0), "c1")).toBe(true);
    expect(locks.tryLock("g2", mq(0), "c2")).toBe(true);
    expect(locks.tryLock("g1", mq(0, "U"), "c2")).toBe(true);
  });

  it("ignores unlocks from a client that does not hold the queue", () => {
    const locks = new RebalanceLockManager(new ManualClock());
    locks.tryLock("g", mq(0), "c1");
    locks.unlockBatch("g", [mq(0)], "c2");
    expect(locks.isLocked("g", mq(0), "c1")).toBe(true);
    locks.unlockBatch("g", [mq(0)], "c1");
    expect(locks.size()).toBe(0);
  });

  it("purges expired leases when full, and refuses new locks while every lease is live", () => {
    const clock = new ManualClock();
    const locks = new RebalanceLockManager(clock, 60_000, 2);
    expect(locks.tryLockBatch("g", [mq(0), mq(1), mq(2)], "c1")).toEqual([mq(0), mq(1)]);
    clock.advance(60_001);
    expect(locks.tryLock("g", mq(2), "c2")).toBe(true);
    expect(locks.size()).toBe(1);
  });

  it("never lets two clients hold one queue's live lease (property)", () => {
    const op = fc.record({
      client: fc.constantFrom("c1", "c2", "c3"),
      queue: fc.nat(3),
      unlock: fc.boolean(),
      advanceMs: fc.constantFrom(0, 1000, 30_000, 61_000),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const clock = new ManualClock();
        const locks = new RebalanceLockManager(clock);
        for (const o of ops) {
          clock.advance(o.advanceMs);
          if (o.unlock) locks.unlockBatch("g", [mq(o.queue)], o.client);
          else locks.tryLock("g", mq(o.queue), o.client);
          for (let q = 0; q < 4; q++) {
            const holders = ["c1", "c2", "c3"].filter((c) => locks.isLocked("g", mq(q), c));
            expect(holders.length).toBeLessThanOrEqual(1);
          }
        }
      }),
    );
  });
});
