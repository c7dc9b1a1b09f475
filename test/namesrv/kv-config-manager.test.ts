import { describe, expect, it } from "vitest";
import { MAX_KV_CONFIG_ENTRIES } from "../../lib/common/limits.js";
import { MemoryKVConfigManager } from "../../lib/namesrv/kv-config-manager.js";

describe("MemoryKVConfigManager", () => {
  it("keeps an emptied namespace, as Apache does", async () => {
    const kv = new MemoryKVConfigManager();
    await kv.putKVConfig("ns", "k", "v");
    await kv.deleteKVConfig("ns", "k");
    expect(await kv.getKVListByNamespace("ns")).toEqual({});
    expect(await kv.getKVListByNamespace("never")).toBeUndefined();
  });

  it("refuses new entries past MAX_KV_CONFIG_ENTRIES but still overwrites existing ones", async () => {
    const kv = new MemoryKVConfigManager();
    for (let i = 0; i < MAX_KV_CONFIG_ENTRIES; i++) await kv.putKVConfig("ns", `k${i}`, "v");
    await expect(kv.putKVConfig("ns", "one-more", "v")).rejects.toMatchObject({ code: "LIMIT_EXCEEDED" });
    await kv.putKVConfig("ns", "k0", "changed");
    expect(await kv.getKVConfig("ns", "k0")).toBe("changed");
    await kv.deleteKVConfig("ns", "k1");
    await kv.putKVConfig("ns", "one-more", "v");
    expect(await kv.getKVConfig("ns", "one-more")).toBe("v");
  });
});
