import { describe, expect, it } from "vitest";
import { TierCache } from "../../lib/tier/tier-cache.js";

const buf = (n: number) => Buffer.alloc(n);

describe("TierCache", () => {
  it("evicts the least recently used entries past its byte budget", async () => {
    const c = new TierCache<Buffer>(300, (b) => b.length);
    await c.get("a", async () => buf(100));
    await c.get("b", async () => buf(100));
    await c.get("c", async () => buf(100));
    await c.get("a", async () => buf(100));
    await c.get("d", async () => buf(100));
    expect(c.has("b")).toBe(false);
    expect(c.has("a")).toBe(true);
    expect(c.stats()).toMatchObject({ bytes: 300, entries: 3, hits: 1, misses: 4 });
  });

  it("shares one load among concurrent callers and does not cache a failure", async () => {
    const c = new TierCache<Buffer>(1000, (b) => b.length);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return buf(10);
    };
    await Promise.all([c.get("k", load), c.get("k", load), c.get("k", load)]);
    expect(loads).toBe(1);
    await expect(c.get("bad", async () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(c.has("bad")).toBe(false);
    expect(await c.get("bad", async () => buf(1))).toHaveLength(1);
  });

  it("hands out but does not keep a value larger than the budget, and evicts by prefix", async () => {
    const c = new TierCache<Buffer>(100, (b) => b.length);
    expect(await c.get("big", async () => buf(500))).toHaveLength(500);
    expect(c.has("big")).toBe(false);
    await c.get("x#1", async () => buf(10));
    await c.get("y#1", async () => buf(10));
    c.evictPrefix("x#");
    expect([c.has("x#1"), c.has("y#1")]).toEqual([false, true]);
    expect(c.stats().bytes).toBe(10);
  });
});
