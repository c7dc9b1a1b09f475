import { describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/common/clock.js";
import { TtlCache } from "../../lib/namesrv/ttl-cache.js";

function counter() {
  let loads = 0;
  return {
    load: async () => ++loads,
    loads: () => loads,
  };
}

describe("TtlCache", () => {
  it("serves a loaded value until the TTL has passed, then loads again", async () => {
    const clock = new ManualClock();
    const cache = new TtlCache<string, number>(clock, 1000, 10);
    const c = counter();
    expect(await cache.get("k", c.load)).toBe(1);
    clock.advance(999);
    expect(await cache.get("k", c.load)).toBe(1);
    clock.advance(1);
    expect(await cache.get("k", c.load)).toBe(2);
  });

  it("shares one load between concurrent misses", async () => {
    const cache = new TtlCache<string, number>(new ManualClock(), 1000, 10);
    const c = counter();
    const got = await Promise.all([cache.get("k", c.load), cache.get("k", c.load), cache.get("k", c.load)]);
    expect(got).toEqual([1, 1, 1]);
    expect(c.loads()).toBe(1);
  });

  it("does not keep a load that was in flight when its key was invalidated", async () => {
    const cache = new TtlCache<string, string>(new ManualClock(), 1000, 10);
    let release: (v: string) => void = () => {};
    const slow = cache.get("k", () => new Promise<string>((r) => (release = r)));
    cache.invalidate("k");
    release("before the write");
    expect(await slow).toBe("before the write");
    expect(await cache.get("k", async () => "after the write")).toBe("after the write");
  });

  it("holds at most maxEntries keys, dropping the oldest loaded", async () => {
    const cache = new TtlCache<number, number>(new ManualClock(), 1000, 2);
    for (const k of [1, 2, 3]) await cache.get(k, async () => k);
    expect(cache.size).toBe(2);
    expect(await cache.get(1, async () => 100)).toBe(100);
    expect(await cache.get(3, async () => 300)).toBe(3);
  });

  it("serves a stale value while loads fail within staleIfErrorMs, then raises", async () => {
    const clock = new ManualClock();
    const cache = new TtlCache<string, number>(clock, 1000, 10, 5000);
    await cache.get("k", async () => 7);
    const failing = async (): Promise<number> => {
      throw new Error("down");
    };
    clock.advance(4999);
    expect(await cache.get("k", failing)).toBe(7);
    clock.advance(1);
    await expect(cache.get("k", failing)).rejects.toThrow("down");
    await expect(cache.get("never", failing)).rejects.toThrow("down");
  });
});
