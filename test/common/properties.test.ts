import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatProperties, parseProperties } from "../../lib/common/properties.js";

/** Keys as broker.conf spells them; values of any text that survives a line (no breaks, trimmed, no trailing `\`). */
const arbKey = fc.stringMatching(/^[A-Za-z0-9_.-]{1,24}$/);
const arbValue = fc
  .string({ unit: "binary", maxLength: 30 })
  .filter((v) => v === v.trim() && !/[\r\n]/.test(v) && !v.endsWith("\\"));

describe("parseProperties", () => {
  it("reads the broker.conf forms: `=`, `:`, blanks, comments, continuations and a bare key", () => {
    const text = [
      "# a comment",
      "! another comment",
      "brokerClusterName = DefaultCluster",
      "brokerName:broker-a",
      "brokerId 0",
      "   listenPort=10911   ",
      "namesrvAddr=127.0.0.1:9876;\\",
      "   127.0.0.2:9876",
      "autoCreateTopicEnable",
      "",
      "storePathRootDir=C:\\store",
    ].join("\r\n");
    expect([...parseProperties(text)]).toEqual([
      ["brokerClusterName", "DefaultCluster"],
      ["brokerName", "broker-a"],
      ["brokerId", "0"],
      ["listenPort", "10911"],
      ["namesrvAddr", "127.0.0.1:9876;127.0.0.2:9876"],
      ["autoCreateTopicEnable", ""],
      ["storePathRootDir", "C:\\store"],
    ]);
  });

  it("keeps a value that holds a separator or a line-separator character whole", () => {
    expect(parseProperties("a = =b:c").get("a")).toBe("=b:c");
    expect(parseProperties("a=x\u2028y").get("a")).toBe("x\u2028y");
  });

  it("parses long runs of blanks and long continuation chains in linear time (UPDATE_BROKER_CONFIG bodies are remote)", () => {
    // Sized so that the old backtracking regex took seconds (it was cubic in the run of blanks).
    for (const text of [
      `a${" ".repeat(2_000)}b\rc`,
      `a${" \t".repeat(600)}\u2028x\u2028`,
      `a=${"x\\\n".repeat(60_000)}`, // continuations were joined by re-slicing the growing line: quadratic
    ]) {
      const started = performance.now();
      expect(parseProperties(text).get("a")).toBeDefined();
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });

  it("round-trips what formatProperties writes (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(arbKey, arbValue), { selector: ([k]) => k, maxLength: 12 }),
        (entries) => {
          expect(parseProperties(formatProperties(entries))).toEqual(new Map(entries));
        },
      ),
    );
  });

  it("never throws on arbitrary text and yields only trimmed, non-empty keys and trimmed values (property)", () => {
    const line = fc.string({ unit: "binary", maxLength: 40 });
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc
        .tuple(
          fc.array(fc.oneof(line, fc.constantFrom("\\", "#", "=", ":", " ", "\r", "\u2028")), {
            maxLength: 12,
          }),
          fc.constantFrom("\n", "\r\n", "\\\n", ""),
        )
        .map(([parts, sep]) => parts.join(sep)),
    );
    fc.assert(
      fc.property(text, (t) => {
        for (const [k, v] of parseProperties(t)) {
          expect(k).not.toBe("");
          expect(k).toBe(k.trim());
          expect(v).toBe(v.trim());
        }
      }),
    );
  });
});
