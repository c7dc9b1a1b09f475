import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import { MAX_JSON_DEPTH } from "../../lib/common/limits.js";
import {
  decodeJsonBody,
  expectObject,
  fieldBoolean,
  fieldInt,
  fieldLong,
  fieldString,
  numericKeyMap,
  parseFastjson,
  stringList,
  stringMap,
  toFastjson,
} from "../../lib/protocol/fastjson.js";

function expectIllegal(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(isStratusError(e, "ILLEGAL_ARGUMENT"), String(e)).toBe(true);
    return;
  }
  throw new Error("expected a StratusError");
}

describe("toFastjson", () => {
  it("writes compact JSON with bean keys sorted and nulls omitted", () => {
    expect(toFastjson({ b: 1, a: "x", c: undefined, d: null, e: [1, null, "y"] })).toBe(
      '{"a":"x","b":1,"e":[1,null,"y"]}',
    );
  });

  it("writes numeric-key maps bare in fastjson style and quoted in standard style", () => {
    const m = numericKeyMap([
      [1, "127.0.0.1:10921"],
      [0, "127.0.0.1:10911"],
    ]);
    expect(toFastjson({ brokerAddrs: m }, "fastjson")).toBe(
      '{"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"}}',
    );
    expect(toFastjson({ brokerAddrs: m }, "standard")).toBe(
      '{"brokerAddrs":{"0":"127.0.0.1:10911","1":"127.0.0.1:10921"}}',
    );
  });

  it("keeps Map order, writes Sets as arrays and longs without exponents", () => {
    const m = new Map<string, unknown>([
      ["z", new Set(["b", "a"])],
      ["a", 1e21],
      ["n", 12345678901234567890n],
    ]);
    expect(toFastjson(m)).toBe('{"z":["b","a"],"a":1000000000000000000000,"n":12345678901234567890}');
  });

  it("escapes strings as JSON and refuses non-finite numbers", () => {
    expect(toFastjson({ k: 'a"\\\u0001' })).toBe('{"k":"a\\"\\\\\\u0001"}');
    expectIllegal(() => toFastjson({ k: Number.NaN }));
  });
});

describe("parseFastjson", () => {
  it("reads standard JSON", () => {
    expect(parseFastjson('{"a":[1,2],"b":{"c":"d"}}', "t")).toEqual({ a: [1, 2], b: { c: "d" } });
  });

  it("reads the bare numeric keys fastjson writes for Map<Long,String>", () => {
    expect(parseFastjson('{"brokerAddrs":{0:"127.0.0.1:10911", 1 : "h:1"},x:true}', "t")).toEqual({
      brokerAddrs: { "0": "127.0.0.1:10911", "1": "h:1" },
      x: true,
    });
  });

  it("does not touch bare-looking text inside strings or arrays", () => {
    expect(parseFastjson('{"a":"{0:1}","b":[0,1],"c":{"k":"v,1:2"}}', "t")).toEqual({
      a: "{0:1}",
      b: [0, 1],
      c: { k: "v,1:2" },
    });
  });

  it("rejects object-valued keys, truncation and garbage with StratusError", () => {
    for (const bad of ['{{"topic":"T"}:1}', '{"a":', '{"a":"x', "", "nul", "{0:}", "[1,,2]"]) {
      expectIllegal(() => parseFastjson(bad, "t"));
    }
  });

  it("rejects nesting deeper than MAX_JSON_DEPTH before parsing", () => {
    const deep = "[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1);
    expectIllegal(() => parseFastjson(deep, "t"));
    const ok = "[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH);
    expect(() => parseFastjson(ok, "t")).not.toThrow();
    expectIllegal(() => parseFastjson("{".repeat(200_000), "t"));
  });

  it("rejects an empty body", () => {
    expectIllegal(() => decodeJsonBody(undefined, "t"));
    expectIllegal(() => decodeJsonBody(Buffer.alloc(0), "t"));
  });

  it("round-trips any JSON value through both styles", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        const normalised = JSON.parse(JSON.stringify(v)) as unknown;
        expect(parseFastjson(toFastjson(normalised, "fastjson"), "t")).toEqual(stripNulls(normalised));
      }),
    );
  });

  it("round-trips numeric-key maps written bare", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.nat().map(String), fc.string()), (d) => {
        const m = numericKeyMap(Object.entries(d).map(([k, v]) => [Number(k), v] as const));
        expect(parseFastjson(toFastjson({ m }, "fastjson"), "t")).toEqual({ m: d });
      }),
    );
  });

  it("never throws anything but StratusError on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
        try {
          parseFastjson(s, "t");
        } catch (e) {
          expect(isStratusError(e, "ILLEGAL_ARGUMENT"), String(e)).toBe(true);
        }
      }),
    );
  });

  it("never throws anything but StratusError on mutated JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.nat(), fc.string({ maxLength: 3 }), (v, at, ins) => {
        const text = JSON.stringify(v);
        const i = at % (text.length + 1);
        try {
          parseFastjson(text.slice(0, i) + ins + text.slice(i + 1), "t");
        } catch (e) {
          expect(isStratusError(e, "ILLEGAL_ARGUMENT"), String(e)).toBe(true);
        }
      }),
    );
  });
});

/** toFastjson omits null object members (fastjson omits null fields); arrays keep them. */
function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== null)
        .map(([k, x]) => [k, stripNulls(x)]),
    );
  }
  return v;
}

describe("field readers", () => {
  const o = expectObject(
    parseFastjson('{"s":"x","n":5,"ns":"7","b":true,"bs":"false","big":3000000000,"nil":null}', "t"),
    "t",
  );

  it("coerce the way fastjson does", () => {
    expect(fieldString(o, "s", "t")).toBe("x");
    expect(fieldString(o, "n", "t")).toBe("5");
    expect(fieldInt(o, "ns", "t")).toBe(7);
    expect(fieldBoolean(o, "bs", "t")).toBe(false);
    expect(fieldLong(o, "big", "t")).toBe(3000000000);
  });

  it("fall back on absent or null fields, and fail without a fallback", () => {
    expect(fieldInt(o, "nil", "t", 16)).toBe(16);
    expect(fieldString(o, "missing", "t", "d")).toBe("d");
    expectIllegal(() => fieldString(o, "missing", "t"));
  });

  it("reject wrong types and out-of-range ints, naming the field", () => {
    expectIllegal(() => fieldInt(o, "s", "t"));
    expectIllegal(() => fieldInt(o, "big", "t"));
    expectIllegal(() => fieldBoolean(o, "n", "t"));
    expectIllegal(() => expectObject([], "t"));
    try {
      fieldInt(o, "s", "body");
    } catch (e) {
      expect(String(e)).toContain("body.s");
    }
  });

  it("build string maps with own properties only", () => {
    const m = stringMap(parseFastjson('{"__proto__":"x","a":1}', "t"), "t");
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
    expect(Object.keys(m).sort()).toEqual(["__proto__", "a"]);
    expect(m.a).toBe("1");
    expect(stringList(["a", 1], "t")).toEqual(["a", "1"]);
    expectIllegal(() => stringList([{}], "t"));
    expectIllegal(() => stringMap([], "t"));
  });
});
