import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_FILTER_EXPRESSION_LENGTH } from "../../lib/common/limits.js";
import { LruCache } from "../../lib/filter/lru-cache.js";
import {
  compileSql92Cached,
  createSql92Filter,
  type Sql92MessageFilter,
} from "../../lib/filter/sql92-filter.js";
import { encodeSocketAddress } from "../../lib/protocol/message-id.js";
import { encodeProperties } from "../../lib/protocol/message-properties.js";
import { encodeMessageRecord } from "../../lib/protocol/message-record.js";
import { tagsString2tagsCode } from "../../lib/protocol/tags.js";

function record(props: Record<string, string>): Buffer {
  const propertiesString = encodeProperties(new Map(Object.entries(props)));
  return encodeMessageRecord(
    {
      topic: "TopicTest",
      queueId: 1,
      flag: 0,
      body: Buffer.from("body"),
      propertiesString,
      tagsCode: tagsString2tagsCode(props.TAGS),
      sysFlag: 0,
      bornTimestamp: 1_700_000_000_000,
      bornHost: encodeSocketAddress("10.0.0.1:50000"),
      storeHost: encodeSocketAddress("10.0.0.2:10911"),
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
    },
    5,
    1024,
    1_700_000_000_100,
  );
}

function filter(expression: string): Sql92MessageFilter {
  const f = createSql92Filter(expression);
  if ("error" in f) throw new Error(f.error);
  return f;
}

describe("createSql92Filter", () => {
  it("lets every ConsumeQueue entry through: SQL92 needs the properties", () => {
    const f = filter("a = 'x'");
    for (const code of [0, 1, -1, 123456]) expect(f.isMatchedByConsumeQueue(code)).toBe(true);
  });

  it("evaluates the expression on the stored record's properties, system ones included", () => {
    const f = filter("TAGS IN ('TagA', 'TagB') AND region = 'eu' AND KEYS CONTAINS 'order-7'");
    expect(f.isMatchedByCommitLog(record({ TAGS: "TagA", KEYS: "order-7 order-8", region: "eu" }))).toBe(
      true,
    );
    expect(f.isMatchedByCommitLog(record({ TAGS: "TagC", KEYS: "order-7", region: "eu" }))).toBe(false);
    expect(f.isMatchedByCommitLog(record({ TAGS: "TagB", KEYS: "order-7" }))).toBe(false);
  });

  it("does not match a record that does not decode", () => {
    const f = filter("TRUE");
    const good = record({ a: "1" });
    expect(f.isMatchedByCommitLog(good)).toBe(true);
    expect(f.isMatchedByCommitLog(good.subarray(0, good.length - 3))).toBe(false);
    expect(f.isMatchedByCommitLog(Buffer.alloc(0))).toBe(false);
    const badMagic = Buffer.from(good);
    badMagic.writeInt32BE(0x12345678, 4);
    expect(f.isMatchedByCommitLog(badMagic)).toBe(false);
  });

  it("never throws on random bytes", () => {
    const f = filter("a IS NULL");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(typeof f.isMatchedByCommitLog(Buffer.from(bytes))).toBe("boolean");
      }),
    );
  });

  it("matches decoded properties directly", () => {
    const f = filter("a > 5");
    expect(f.isMatchedByProperties(new Map([["a", "6"]]))).toBe(true);
    expect(f.isMatchedByProperties(new Map([["a", "4"]]))).toBe(false);
  });

  it("returns the compile error for a bad expression", () => {
    const f = createSql92Filter("a >");
    expect("error" in f && f.error).toMatch(/Encountered <EOF> at line 1, column 4/);
  });

  it("reuses the compiled expression for the same text, failures included", () => {
    const first = compileSql92Cached("b = 'cached'");
    expect(compileSql92Cached("b = 'cached'")).toBe(first);
    const bad = compileSql92Cached("b = ");
    expect(compileSql92Cached("b = ")).toBe(bad);
  });

  it("does not cache expressions over the length limit", () => {
    const huge = `a = '${"x".repeat(MAX_FILTER_EXPRESSION_LENGTH)}'`;
    expect(compileSql92Cached(huge)).not.toBe(compileSql92Cached(huge));
  });
});

describe("LruCache", () => {
  it("evicts the least recently used entry beyond its capacity", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1); // a is now the most recent
    cache.set("c", 3);
    expect(cache.has("b")).toBe(false);
    expect(cache.get("a")).toBe(1);
    expect(cache.get("c")).toBe(3);
    expect(cache.size).toBe(2);
  });

  it("replaces an existing key without growing", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("a", 2);
    expect(cache.size).toBe(1);
    expect(cache.get("a")).toBe(2);
    expect(cache.get("missing")).toBeUndefined();
  });

  it("never holds more than its capacity", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 20 })),
        (capacity, keys) => {
          const cache = new LruCache<number, number>(capacity);
          for (const k of keys) cache.set(k, k);
          expect(cache.size).toBe(Math.min(capacity, new Set(keys).size));
          const recent = [...new Set([...keys].reverse())].slice(0, capacity);
          for (const k of recent) expect(cache.has(k)).toBe(true);
        },
      ),
    );
  });
});
