import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import { MAX_EXT_FIELDS } from "../../lib/common/limits.js";
import type { RemotingHeader } from "../../lib/protocol/header-json.js";
import {
  decodeRocketmqHeader,
  EXT_FIELDS_LENGTH_BASE_OFFSET,
  encodeRocketmqHeader,
  MIN_ROCKETMQ_HEADER_BYTES,
  REMARK_LENGTH_OFFSET,
  rocketmqHeaderLength,
} from "../../lib/protocol/header-rocketmq.js";
import { LanguageCode, languageCodeToName, languageNameToCode } from "../../lib/protocol/language-code.js";
import { readHexFixture } from "../golden/frames/read-hex.js";

const BASE: RemotingHeader = { code: 11, language: "JAVA", version: 409, opaque: 5, flag: 0, extFields: {} };
/** The binary header inside the Java-produced golden frame (frame bytes 8..end). */
const JAVA_HEADER = readHexFixture("java-pull-response-rocketmq").subarray(8);

function entry(key: string, value: string): Buffer {
  const k = Buffer.from(key);
  const v = Buffer.from(value);
  const out = Buffer.alloc(2 + k.length + 4 + v.length);
  out.writeInt16BE(k.length, 0);
  k.copy(out, 2);
  out.writeInt32BE(v.length, 2 + k.length);
  v.copy(out, 6 + k.length);
  return out;
}

/** A header with no remark and the given raw extFields bytes. */
function withExtBytes(ext: Buffer): Buffer {
  const head = encodeRocketmqHeader(BASE);
  head.writeInt32BE(ext.length, EXT_FIELDS_LENGTH_BASE_OFFSET);
  return Buffer.concat([head, ext]);
}

describe("language codes", () => {
  it("maps every RocketMQ language name to its number and back", () => {
    for (const [name, code] of Object.entries(LanguageCode)) {
      expect(languageCodeToName(code)).toBe(name);
      expect(languageNameToCode(name)).toBe(code);
    }
    expect(LanguageCode.NODE_JS).toBe(13);
  });

  it("maps unknown numbers and names to OTHER", () => {
    expect(languageCodeToName(14)).toBe("OTHER");
    expect(languageCodeToName(255)).toBe("OTHER");
    expect(languageNameToCode("KOTLIN")).toBe(LanguageCode.OTHER);
    expect(languageNameToCode("toString")).toBe(LanguageCode.OTHER);
  });
});

describe("decodeRocketmqHeader", () => {
  it("decodes the Java-produced PullMessageResponseHeader bytes", () => {
    const h = decodeRocketmqHeader(JAVA_HEADER);
    expect(h).toMatchObject({
      code: 11,
      language: "RUST",
      version: 501,
      opaque: 7,
      flag: 0,
      remark: undefined,
    });
    expect(h.extFields).toEqual({
      suggestWhichBrokerId: "1",
      nextBeginOffset: "-2",
      minOffset: "-3",
      maxOffset: "99",
      offsetDelta: "-5",
      topicSysFlag: "6",
      groupSysFlag: "7",
      forbiddenType: "8",
    });
  });

  it("decodes an unknown language byte as OTHER instead of failing", () => {
    const header = Buffer.from(JAVA_HEADER);
    header[2] = 0xc8;
    expect(decodeRocketmqHeader(header).language).toBe("OTHER");
  });

  it("treats empty strings as absent: empty remark, empty value, empty key", () => {
    const header = withExtBytes(Buffer.concat([entry("a", ""), entry("", "x"), entry("b", "y")]));
    const h = decodeRocketmqHeader(header);
    expect(h.remark).toBeUndefined();
    expect(h.extFields).toEqual({ b: "y" });
  });

  it("reads code and version as signed 16-bit values", () => {
    const header = encodeRocketmqHeader({ ...BASE, code: -1000, version: -2 });
    expect(decodeRocketmqHeader(header)).toMatchObject({ code: -1000, version: -2 });
  });

  it("rejects every truncation with HEADER_MALFORMED", () => {
    const full = encodeRocketmqHeader({ ...BASE, remark: "r", extFields: { k: "v", k2: "v2" } });
    for (let cut = 0; cut < full.length; cut++) {
      expect(() => decodeRocketmqHeader(full.subarray(0, cut))).toThrow(
        expect.objectContaining({ code: "HEADER_MALFORMED" }),
      );
    }
  });

  it("rejects negative lengths with HEADER_MALFORMED", () => {
    const negRemark = encodeRocketmqHeader(BASE);
    negRemark.writeInt32BE(-1, REMARK_LENGTH_OFFSET);
    const negKey = withExtBytes(entry("k", "v"));
    negKey.writeInt16BE(-1, MIN_ROCKETMQ_HEADER_BYTES);
    const negValue = withExtBytes(entry("k", "v"));
    negValue.writeInt32BE(-5, MIN_ROCKETMQ_HEADER_BYTES + 3);
    const negExt = encodeRocketmqHeader(BASE);
    negExt.writeInt32BE(-4, EXT_FIELDS_LENGTH_BASE_OFFSET);
    for (const header of [negRemark, negKey, negValue, negExt]) {
      expect(() => decodeRocketmqHeader(header)).toThrow(
        expect.objectContaining({ code: "HEADER_MALFORMED" }),
      );
    }
  });

  it("rejects lengths that point past the header with HEADER_MALFORMED", () => {
    const bigRemark = encodeRocketmqHeader(BASE);
    bigRemark.writeInt32BE(0x7fffffff, REMARK_LENGTH_OFFSET);
    const bigValue = withExtBytes(entry("k", "v"));
    bigValue.writeInt32BE(2, MIN_ROCKETMQ_HEADER_BYTES + 3);
    for (const header of [bigRemark, bigValue]) {
      expect(() => decodeRocketmqHeader(header)).toThrow(
        expect.objectContaining({ code: "HEADER_MALFORMED" }),
      );
    }
  });

  it("rejects bytes after the extFields with HEADER_MALFORMED", () => {
    const header = Buffer.concat([encodeRocketmqHeader(BASE), Buffer.from([0])]);
    expect(() => decodeRocketmqHeader(header)).toThrow(expect.objectContaining({ code: "HEADER_MALFORMED" }));
  });

  it("rejects more than MAX_EXT_FIELDS entries with HEADER_MALFORMED", () => {
    const entries = Array.from({ length: MAX_EXT_FIELDS + 1 }, (_, i) => entry(`k${i}`, "v"));
    expect(() => decodeRocketmqHeader(withExtBytes(Buffer.concat(entries)))).toThrow(
      expect.objectContaining({ code: "HEADER_MALFORMED" }),
    );
  });

  it("reads an extFields key named __proto__ as a plain entry", () => {
    const h = decodeRocketmqHeader(withExtBytes(entry("__proto__", "p")));
    expect(Object.getPrototypeOf(h.extFields)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(h.extFields, "__proto__")?.value).toBe("p");
  });

  it("decodes or raises StratusError for random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        try {
          decodeRocketmqHeader(Buffer.from(bytes));
        } catch (e) {
          if (!isStratusError(e, "HEADER_MALFORMED")) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe("encodeRocketmqHeader", () => {
  it("reproduces the Java-produced bytes exactly", () => {
    const h = decodeRocketmqHeader(JAVA_HEADER);
    expect(encodeRocketmqHeader(h).toString("hex")).toBe(JAVA_HEADER.toString("hex"));
  });

  it("computes its length as 21 + remark bytes + extFields bytes", () => {
    const header = { ...BASE, remark: "ü", extFields: { ké: "vä" } };
    expect(rocketmqHeaderLength(header)).toBe(21 + 2 + (2 + 3 + 4 + 3));
    expect(encodeRocketmqHeader(header).length).toBe(rocketmqHeaderLength(header));
  });

  it("refuses values that do not fit their binary field with ILLEGAL_ARGUMENT", () => {
    for (const bad of [{ code: 40000 }, { version: -40000 }, { opaque: 2 ** 31 }, { flag: 0.5 }]) {
      expect(() => encodeRocketmqHeader({ ...BASE, ...bad })).toThrow(
        expect.objectContaining({ code: "ILLEGAL_ARGUMENT" }),
      );
    }
  });

  it("refuses a key longer than an int16 length can describe", () => {
    expect(() => encodeRocketmqHeader({ ...BASE, extFields: { ["k".repeat(40000)]: "v" } })).toThrow(
      expect.objectContaining({ code: "ILLEGAL_ARGUMENT" }),
    );
  });

  it("round-trips arbitrary headers", () => {
    const text = fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(
        fc.integer({ min: -0x8000, max: 0x7fff }),
        fc.constantFrom(...Object.keys(LanguageCode)),
        fc.option(text, { nil: undefined }),
        fc.dictionary(text, text, { maxKeys: 6 }),
        (code, language, remark, extFields) => {
          const header = { ...BASE, code, language, remark, extFields };
          expect(decodeRocketmqHeader(encodeRocketmqHeader(header))).toEqual(header);
        },
      ),
    );
  });
});
