import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeProperties,
  encodeProperties,
  getProperties,
  getProperty,
  MessageConst,
} from "../../lib/protocol/message-properties.js";

describe("MessageConst", () => {
  it("spells property names as Apache does", () => {
    expect(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX).toBe("UNIQ_KEY");
    expect(MessageConst.PROPERTY_TRANSACTION_ID).toBe("__transactionId__");
    expect(MessageConst.PROPERTY_FIRST_POP_TIME).toBe("1ST_POP_TIME");
    expect(MessageConst.PROPERTY_REAL_QUEUE_ID).toBe("REAL_QID");
  });
});

describe("encodeProperties", () => {
  it("writes 0x02 after every pair like 5.x", () => {
    const s = encodeProperties(
      new Map([
        ["TAGS", "TagA"],
        ["KEYS", "k1 k2"],
      ]),
    );
    expect(s).toBe("TAGS\u0001TagA\u0002KEYS\u0001k1 k2\u0002");
  });

  it("writes nothing for no properties", () => {
    expect(encodeProperties(new Map())).toBe("");
  });
});

describe("decodeProperties", () => {
  it("reads 4.9.x strings without the trailing 0x02", () => {
    expect(decodeProperties("TAGS\u0001TagA\u0002WAIT\u0001true")).toEqual(
      new Map([
        ["TAGS", "TagA"],
        ["WAIT", "true"],
      ]),
    );
  });

  it("drops segments with an empty name or an empty value", () => {
    const s = "\u0001x\u0002EMPTY\u0001\u0002NOSEP\u0002\u0002A\u0001b\u0002";
    expect(decodeProperties(s)).toEqual(new Map([["A", "b"]]));
  });

  it("splits on the first 0x01 only", () => {
    expect(decodeProperties("A\u0001b\u0001c\u0002")).toEqual(new Map([["A", "b\u0001c"]]));
  });

  it("lets a later duplicate win", () => {
    expect(decodeProperties("A\u00011\u0002A\u00012\u0002").get("A")).toBe("2");
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", "b", "\u0001", "\u0002", "é") }), (s) => {
        for (const [k, v] of decodeProperties(s)) {
          expect(k.length).toBeGreaterThan(0);
          expect(v.length).toBeGreaterThan(0);
          expect(k).not.toContain("\u0001");
          expect(k + v).not.toContain("\u0002");
        }
      }),
    );
  });
});

const name = fc
  .string({ minLength: 1, unit: "grapheme" })
  .filter((s) => !s.includes("\u0001") && !s.includes("\u0002"));
const value = fc.string({ minLength: 1, unit: "grapheme" }).filter((s) => !s.includes("\u0002"));

describe("properties round trip", () => {
  it("decodes what it encodes, with or without the trailing separator", () => {
    fc.assert(
      fc.property(fc.dictionary(name, value), (obj) => {
        const props = new Map(Object.entries(obj));
        const s = encodeProperties(props);
        expect(decodeProperties(s)).toEqual(props);
        expect(decodeProperties(s.endsWith("\u0002") ? s.slice(0, -1) : s)).toEqual(props);
      }),
    );
  });

  it("getProperty agrees with decodeProperties", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("A", "B", "x", "\u0001", "\u0002") }),
        fc.constantFrom("A", "B", "AB"),
        (s, key) => {
          expect(getProperty(s, key)).toBe(decodeProperties(s).get(key));
        },
      ),
    );
  });
});

describe("getProperties", () => {
  it("agrees with decodeProperties for several names at once", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("A", "B", "x", "\u0001", "\u0002") }), (s) => {
        const names = ["A", "B", "AB", "x"];
        const m = decodeProperties(s);
        expect(getProperties(s, names)).toEqual(names.map((n) => m.get(n)));
      }),
    );
  });
});
