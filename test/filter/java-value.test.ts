import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compareJavaDouble,
  EVAL_ERROR,
  javaBooleanValueOf,
  javaCompare,
  javaDouble,
  javaDoubleValueOf,
  javaInt,
  javaIntegerValueOf,
  javaLong,
  javaLongValueOf,
  javaNegate,
  javaTrim,
  roundToDouble,
} from "../../lib/filter/java-value.js";

describe("Integer.valueOf / Long.valueOf", () => {
  it("accept an optional sign and decimal digits, including other Unicode decimal digits", () => {
    expect(javaIntegerValueOf("42")).toEqual(javaInt(42));
    expect(javaIntegerValueOf("-0")).toEqual(javaInt(0));
    expect(javaIntegerValueOf("+7")).toEqual(javaInt(7));
    expect(javaIntegerValueOf("0007")).toEqual(javaInt(7));
    expect(javaIntegerValueOf("\u0663\u0665")).toEqual(javaInt(35)); // Arabic-Indic 3 5
    expect(javaIntegerValueOf("\uff19")).toEqual(javaInt(9)); // fullwidth 9
    expect(javaIntegerValueOf("\u0966")).toEqual(javaInt(0)); // Devanagari 0
  });

  it("reject what Java rejects", () => {
    for (const s of [
      "",
      "+",
      "-",
      " 1",
      "1 ",
      "1.0",
      "1e3",
      "0x10",
      "1_000",
      "١.٢",
      "\u{1d7ce}",
      "++1",
      "Infinity",
    ])
      expect(javaIntegerValueOf(s), s).toBeUndefined();
  });

  it("check the int and long ranges exactly", () => {
    expect(javaIntegerValueOf("2147483647")).toEqual(javaInt(2147483647));
    expect(javaIntegerValueOf("-2147483648")).toEqual(javaInt(-2147483648));
    expect(javaIntegerValueOf("2147483648")).toBeUndefined();
    expect(javaIntegerValueOf("-2147483649")).toBeUndefined();
    expect(javaLongValueOf("9223372036854775807")).toEqual(javaLong(9223372036854775807n));
    expect(javaLongValueOf("-9223372036854775808")).toEqual(javaLong(-9223372036854775808n));
    expect(javaLongValueOf("9223372036854775808")).toBeUndefined();
    expect(javaLongValueOf(`000000000000000000000000${"1"}`)).toEqual(javaLong(1n));
  });

  it("agree with BigInt on random ASCII integers", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.boolean(), (n, plus) => {
        const text = plus && n >= 0n ? `+${n}` : String(n);
        const inLong = n >= -(2n ** 63n) && n < 2n ** 63n;
        const inInt = n >= -(2n ** 31n) && n < 2n ** 31n;
        expect(javaLongValueOf(text)).toEqual(inLong ? javaLong(n) : undefined);
        expect(javaIntegerValueOf(text)).toEqual(inInt ? javaInt(Number(n)) : undefined);
      }),
    );
  });
});

describe("Double.valueOf", () => {
  it("parses Java's decimal forms, trimming chars <= U+0020 and ignoring an f/d suffix", () => {
    const cases: Array<[string, number]> = [
      ["1", 1],
      ["1.", 1],
      [".5", 0.5],
      ["-.5e1", -5],
      ["+1E+2", 100],
      ["\u0001 2.5 \t", 2.5],
      ["3f", 3],
      ["3D", 3],
      ["1e400", Number.POSITIVE_INFINITY],
      ["-1e-400", -0],
      ["NaN", Number.NaN],
      ["-Infinity", Number.NEGATIVE_INFINITY],
      ["0x10p0", 16],
      ["0X.8P1", 1],
      ["-0x1.8p1d", -3],
    ];
    for (const [text, value] of cases) expect(javaDoubleValueOf(text), text).toEqual(javaDouble(value));
  });

  it("rejects what Java rejects", () => {
    for (const s of [
      "",
      " ",
      ".",
      "e5",
      "1e",
      "1e+",
      "1.5.5",
      "1ff",
      "nan",
      "infinity",
      "NaNf",
      "0x10",
      "1,5",
      "\u00a01",
      "\u0661",
      "--1",
    ])
      expect(javaDoubleValueOf(s), s).toBeUndefined();
  });

  it("agrees with Number on random decimal text", () => {
    fc.assert(
      fc.property(fc.double(), (d) => {
        // String(-0) is "0"; Java's Double.toString(-0.0) is "-0.0", which must keep its sign
        const text = Object.is(d, -0) ? "-0.0" : String(d);
        expect(javaDoubleValueOf(text)).toEqual(javaDouble(d));
      }),
    );
  });

  it("rounds hexadecimal significands to nearest-even, with subnormals and overflow", () => {
    expect(javaDoubleValueOf("0x1p-1074")?.value).toBe(2 ** -1074);
    expect(javaDoubleValueOf("0x1p-1075")?.value).toBe(0); // exactly half the smallest subnormal: ties to even
    expect(javaDoubleValueOf("0x1.8p-1075")?.value).toBe(2 ** -1074);
    expect(javaDoubleValueOf("0x1.fffffffffffff7p1023")?.value).toBe(Number.MAX_VALUE);
    expect(javaDoubleValueOf("0x1.fffffffffffff8p1023")?.value).toBe(Number.POSITIVE_INFINITY);
    expect(javaDoubleValueOf("0x1.00000000000008p0")?.value).toBe(1); // tie, even stays
    expect(javaDoubleValueOf("0x1.00000000000018p0")?.value).toBe(1 + 2 * 2 ** -52); // tie, odd rounds up
    expect(javaDoubleValueOf("0x1p99999999999999999999")?.value).toBe(Number.POSITIVE_INFINITY);
    expect(javaDoubleValueOf("0x0.0p0")?.value).toBe(0);
  });

  it("roundToDouble is exact for representable values", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 2n ** 53n - 1n }),
        fc.integer({ min: -1074, max: 970 }),
        (m, e) => {
          const expected = Number(m) * 2 ** e;
          fc.pre(Number.isFinite(expected) && expected !== 0 && expected / 2 ** e === Number(m));
          expect(roundToDouble(m, e)).toBe(expected);
        },
      ),
    );
  });
});

describe("Boolean.valueOf and String.trim", () => {
  it("Boolean.valueOf is true only for 'true' in any case", () => {
    for (const s of ["true", "TRUE", "tRuE"]) expect(javaBooleanValueOf(s)).toBe(true);
    for (const s of ["", "yes", "1", " true", "truee"]) expect(javaBooleanValueOf(s)).toBe(false);
  });

  it("trim strips control chars and spaces but not Unicode spaces", () => {
    expect(javaTrim("\u0000\t x \u001f")).toBe("x");
    expect(javaTrim("\u00a0x\u2003")).toBe("\u00a0x\u2003");
  });
});

describe("comparison as Apache's __compare", () => {
  it("Double.compare orders -0.0 below 0.0 and NaN above everything", () => {
    expect(compareJavaDouble(-0, 0)).toBe(-1);
    expect(compareJavaDouble(0, -0)).toBe(1);
    expect(compareJavaDouble(Number.NaN, Number.POSITIVE_INFINITY)).toBe(1);
    expect(compareJavaDouble(Number.NaN, Number.NaN)).toBe(0);
    expect(compareJavaDouble(1, Number.NaN)).toBe(-1);
  });

  it("widens int to long to double and parses strings as the other side's class", () => {
    expect(javaCompare(javaInt(1), javaLong(1n))).toBe(0);
    expect(javaCompare(javaLong(9007199254740993n), javaLong(9007199254740992n))).toBe(1);
    expect(javaCompare(javaLong(9007199254740993n), javaDouble(9007199254740992))).toBe(0); // long rounds to double
    expect(javaCompare("5", javaInt(5))).toBe(0);
    expect(javaCompare(javaInt(5), "6")).toBe(-1);
    expect(javaCompare("5.5", javaInt(5))).toBe(EVAL_ERROR);
    expect(javaCompare("5.5", javaDouble(5))).toBe(1);
    expect(javaCompare("True", true)).toBe(0);
    expect(javaCompare(true, "true")).toBe(EVAL_ERROR);
    expect(javaCompare(true, javaInt(1))).toBe(-1);
    expect(javaCompare(javaInt(1), true)).toBe(-1);
    expect(javaCompare(false, true)).toBe(-1);
    expect(javaCompare("b", "a")).toBe(1);
    expect(javaCompare("\uffff", "\u{10000}")).toBe(1); // UTF-16 code units, not code points
  });

  it("negation wraps ints and longs and turns non-numbers into null", () => {
    expect(javaNegate(javaInt(-2147483648))).toEqual(javaInt(-2147483648));
    expect(javaNegate(javaInt(0))).toEqual(javaInt(0));
    expect(javaNegate(javaLong(-(2n ** 63n)))).toEqual(javaLong(-(2n ** 63n)));
    expect(javaNegate(javaDouble(1.5))).toEqual(javaDouble(-1.5));
    expect(javaNegate("1")).toBeNull();
    expect(javaNegate(true)).toBeNull();
    expect(javaNegate(null)).toBeNull();
  });
});
