import { describe, expect, it } from "vitest";
import { validateObjectKey } from "../../lib/ports/object-store.js";
import { chunkObjectKey } from "../../lib/tier/object-keys.js";

describe("chunkObjectKey", () => {
  it("names cluster, broker and both offsets under a hash prefix, as a valid object key", () => {
    const key = chunkObjectKey("DefaultCluster", "broker-a", 8388608, 16777216);
    expect(key).toMatch(
      /^tier\/[0-9a-f]{4}\/DefaultCluster\/broker-a\/00000000000008388608-00000000000016777216\.chunk$/,
    );
    expect(() => validateObjectKey(key)).not.toThrow();
    expect(chunkObjectKey("DefaultCluster", "broker-a", 8388608, 16777216)).toBe(key);
  });

  it("spreads consecutive chunks of one broker over many prefixes", () => {
    const prefixes = new Set<string>();
    for (let i = 0; i < 200; i++)
      prefixes.add(chunkObjectKey("c", "b", i * 8388608, (i + 1) * 8388608).split("/")[1] as string);
    expect(prefixes.size).toBeGreaterThan(190);
  });
});
