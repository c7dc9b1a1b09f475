import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import { MAX_EXT_FIELDS } from "../../lib/common/limits.js";
import {
  decodeJsonHeader,
  encodeJsonHeader,
  jsonHeaderText,
  type RemotingHeader,
} from "../../lib/protocol/header-json.js";

const BASE: RemotingHeader = { code: 10, language: "JAVA", version: 409, opaque: 5, flag: 0, extFields: {} };

function decodeText(text: string): RemotingHeader {
  return decodeJsonHeader(Buffer.from(text, "utf8"));
}

describe("decodeJsonHeader", () => {
  it("ignores unknown keys and accepts any key order", () => {
    const h = decodeText(
      '{"version":401,"serializeTypeCurrentRPC":"JSON","x":{"deep":[1,2]},"opaque":9,"flag":1,"language":"GO","code":17}',
    );
    expect(h).toEqual({ code: 17, language: "GO", version: 401, opaque: 9, flag: 1, extFields: {} });
  });

  it("accepts remark and extFields that are null or absent", () => {
    expect(decodeText('{"code":1,"remark":null,"extFields":null}')).toMatchObject({
      remark: undefined,
      extFields: {},
    });
    expect(decodeText('{"code":1}')).toMatchObject({ remark: undefined, extFields: {} });
  });

  it("normalises extFields numbers and booleans to strings, as ali-ons sends them", () => {
    const h = decodeText(
      '{"code":11,"extFields":{"queueId":0,"sysFlag":6,"commitOffset":-12,"ok":true,"no":false}}',
    );
    expect(h.extFields).toEqual({ queueId: "0", sysFlag: "6", commitOffset: "-12", ok: "true", no: "false" });
  });

  it("drops extFields entries whose value is null", () => {
    expect(decodeText('{"code":1,"extFields":{"a":null,"b":"x"}}').extFields).toEqual({ b: "x" });
  });

  it("keeps 64-bit decimal strings exactly", () => {
    const h = decodeText('{"code":1,"extFields":{"queueOffset":"9223372036854775807"}}');
    expect(h.extFields.queueOffset).toBe("9223372036854775807");
  });

  it("accepts integer fields sent as decimal strings", () => {
    expect(decodeText('{"code":"105","opaque":"-3","flag":"1","version":"409"}')).toMatchObject({
      code: 105,
      opaque: -3,
      flag: 1,
      version: 409,
    });
  });

  it("maps a numeric language to its name and an unknown one to OTHER", () => {
    expect(decodeText('{"code":1,"language":9}').language).toBe("GO");
    expect(decodeText('{"code":1,"language":"KOTLIN"}').language).toBe("OTHER");
    expect(decodeText('{"code":1,"language":99}').language).toBe("OTHER");
    expect(decodeText('{"code":1,"language":"NODE_JS"}').language).toBe("NODE_JS");
  });

  it("reads an extFields key named __proto__ as a plain entry without touching the prototype", () => {
    const h = decodeText('{"code":1,"extFields":{"__proto__":"p","a":"b"}}');
    expect(Object.getPrototypeOf(h.extFields)).toBe(Object.prototype);
    expect(Object.keys(h.extFields)).toEqual(["__proto__", "a"]);
    expect(Object.getOwnPropertyDescriptor(h.extFields, "__proto__")?.value).toBe("p");
  });

  it("decodes only the given range of the buffer", () => {
    const buf = Buffer.from('xx{"code":3}yy');
    expect(decodeJsonHeader(buf, 2, 12).code).toBe(3);
  });

  it.each([
    ["not JSON", "{code:1"],
    ["an array", "[1,2]"],
    ["a string", '"code"'],
    ["missing code", '{"opaque":1}'],
    ["a fractional code", '{"code":1.5}'],
    ["a code beyond int32", '{"code":2147483648}'],
    ["an object flag", '{"code":1,"flag":{}}'],
    ["array extFields", '{"code":1,"extFields":["a"]}'],
    ["empty text", ""],
  ])("rejects %s with HEADER_MALFORMED", (_what, text) => {
    expect(() => decodeText(text)).toThrow(expect.objectContaining({ code: "HEADER_MALFORMED" }));
  });

  it("rejects more than MAX_EXT_FIELDS extFields with HEADER_MALFORMED", () => {
    const ext = Object.fromEntries(Array.from({ length: MAX_EXT_FIELDS + 1 }, (_, i) => [`k${i}`, "v"]));
    expect(() => decodeText(JSON.stringify({ code: 1, extFields: ext }))).toThrow(
      expect.objectContaining({ code: "HEADER_MALFORMED" }),
    );
  });

  it("decodes or raises StratusError for random text and random JSON values", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.json()), (text) => {
        try {
          decodeText(text);
        } catch (e) {
          if (!isStratusError(e, "HEADER_MALFORMED")) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("jsonHeaderText", () => {
  it("emits compact JSON with the keys in Java's order and no remark when undefined", () => {
    expect(jsonHeaderText({ ...BASE, extFields: { topic: "T" } })).toBe(
      '{"code":10,"extFields":{"topic":"T"},"flag":0,"language":"JAVA","opaque":5,"serializeTypeCurrentRPC":"JSON","version":409}',
    );
  });

  it("emits the remark between opaque and serializeTypeCurrentRPC when defined", () => {
    expect(jsonHeaderText({ ...BASE, remark: 'say "hi"\n' })).toContain(
      ',"opaque":5,"remark":"say \\"hi\\"\\n","serializeTypeCurrentRPC"',
    );
  });

  it("always emits extFields, even when empty", () => {
    expect(jsonHeaderText(BASE)).toContain('"extFields":{}');
  });

  it("escapes control characters as \\u00XX", () => {
    expect(jsonHeaderText({ ...BASE, extFields: { i: "KEYS\u0001k\u0002" } })).toContain(
      '"i":"KEYS\\u0001k\\u0002"',
    );
  });

  it("writes extFields values that slipped in as numbers, bigints or booleans as JSON strings", () => {
    const extFields = { a: 7, b: 9007199254740993n, c: true, d: 1e20, e: undefined } as unknown as Record<
      string,
      string
    >;
    expect(jsonHeaderText({ ...BASE, extFields })).toContain(
      '"extFields":{"a":"7","b":"9007199254740993","c":"true","d":"100000000000000000000"}',
    );
  });

  it("refuses extFields numbers that would print in exponent form or as fractions", () => {
    for (const bad of [1e21, 1.5, Number.NaN]) {
      const extFields = { a: bad } as unknown as Record<string, string>;
      expect(() => jsonHeaderText({ ...BASE, extFields })).toThrow(
        expect.objectContaining({ code: "ILLEGAL_ARGUMENT" }),
      );
    }
  });

  it("refuses header integers that are not 32-bit integers", () => {
    for (const bad of [1.5, 2 ** 31, Number.NaN]) {
      expect(() => jsonHeaderText({ ...BASE, opaque: bad })).toThrow(
        expect.objectContaining({ code: "ILLEGAL_ARGUMENT" }),
      );
    }
  });

  it("never emits a number in exponent form", () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), (n) => {
        const text = jsonHeaderText({ ...BASE, code: n, opaque: n, flag: n, version: n });
        expect(text).not.toMatch(/\de[+-]?\d/i);
      }),
    );
  });

  it("round-trips through decodeJsonHeader", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 20 });
    fc.assert(
      fc.property(
        fc.option(text, { nil: undefined }),
        fc.dictionary(text, text, { maxKeys: 6 }),
        (remark, ext) => {
          const header = { ...BASE, remark, extFields: ext };
          expect(decodeJsonHeader(encodeJsonHeader(header))).toEqual(header);
        },
      ),
    );
  });
});
