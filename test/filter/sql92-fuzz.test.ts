/**
 * Hostile input: whatever the text, compileSql92 answers { ok } or { ok: false, error } without throwing, hanging or
 * overflowing the stack, and a compiled selector evaluates without throwing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_FILTER_EXPRESSION_LENGTH, MAX_FILTER_NESTING_DEPTH } from "../../lib/common/limits.js";
import { compileSql92 } from "../../lib/filter/sql92.js";

const TOKENS = [
  ...[
    "NOT",
    "AND",
    "OR",
    "BETWEEN",
    "IN",
    "TRUE",
    "FALSE",
    "NULL",
    "IS",
    "CONTAINS",
    "STARTSWITH",
    "ENDSWITH",
  ],
  ...["not", "and", "or", "between", "in", "is", "null"],
  ...[
    "=",
    "<>",
    ">",
    ">=",
    "<",
    "<=",
    "(",
    ")",
    ",",
    "+",
    "-",
    "--",
    "/*",
    "*/",
    "'",
    "''",
    "!",
    "==",
    ".",
    "#",
  ],
  ...[
    "a",
    "b",
    "TAGS",
    "$x",
    "_y",
    "0",
    "1",
    "007",
    "1L",
    "0L",
    "2147483648",
    "9223372036854775808",
    "1.5",
    ".5",
    "5.",
    "1e3",
    "1e400",
  ],
  ...[
    "'x'",
    "'it''s'",
    "''",
    "'unterminated",
    "\n",
    "\r",
    "\t",
    "\f",
    "\u0000",
    "\u00a0",
    "😀",
    "/* c */",
    "-- c\n",
  ],
];

function compileSafely(text: string): {
  ok: boolean;
  error?: string;
  run?: (p: Map<string, string>) => boolean;
} {
  const result = compileSql92(text);
  if (!result.ok) {
    expect(typeof result.error).toBe("string");
    expect(result.error.length).toBeGreaterThan(0);
    return { ok: false, error: result.error };
  }
  return { ok: true, run: (p) => result.evaluate(p) };
}

const propsArb = fc
  .array(
    fc.tuple(
      fc.constantFrom("a", "b", "TAGS", "$x", "_y"),
      fc.constantFrom("", "1", "x", "1.5", "true", "NaN", "-0"),
    ),
    {
      maxLength: 5,
    },
  )
  .map((e) => new Map(e));

describe("SQL92 parser under hostile input", () => {
  it("never throws on random strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        compileSafely(text);
      }),
      { numRuns: 3000 },
    );
  });

  it("never throws on token soups, and what compiles evaluates to a boolean", () => {
    const soup = fc
      .array(fc.constantFrom(...TOKENS), { maxLength: 40 })
      .chain((tokens) => fc.constantFrom(" ", "", "\n").map((sep) => tokens.join(sep)));
    fc.assert(
      fc.property(soup, propsArb, (text, props) => {
        const r = compileSafely(text);
        if (r.ok && r.run) expect(typeof r.run(props)).toBe("boolean");
      }),
      { numRuns: 5000 },
    );
  });

  it("refuses deep nesting with an error instead of overflowing the stack", () => {
    const deep = [
      `${"(".repeat(4000)}a = 1${")".repeat(4000)}`,
      `${"NOT ".repeat(2000)}a`,
      `${"- ".repeat(4000)}1 = 1`,
      `${"+ ".repeat(4000)}1 = 1`,
      `a${" IS NULL".repeat(1000)}`,
      `a${" CONTAINS 'x'".repeat(600)}`,
      `a = 1${" = TRUE".repeat(1000)}`,
      `${"(NOT ".repeat(1500)}a${")".repeat(1500)}`,
    ];
    for (const text of deep) {
      const r = compileSafely(text);
      expect(r.ok, text.slice(0, 40)).toBe(false);
      expect(r.error).toMatch(/nests deeper than|characters long/);
    }
  });

  it("accepts nesting up to the limit", () => {
    const depth = Math.floor(MAX_FILTER_NESTING_DEPTH / 4);
    expect(compileSql92(`${"(".repeat(depth)}a = 1${")".repeat(depth)}`).ok).toBe(true);
    expect(compileSql92(`${"NOT ".repeat(depth)}(a = 1)`).ok).toBe(true);
  });

  it("accepts a long flat OR chain: chains are not nesting", () => {
    const parts: string[] = [];
    for (let i = 0; parts.join(" OR ").length < MAX_FILTER_EXPRESSION_LENGTH - 40; i++)
      parts.push(`TAGS = 't${i}'`);
    const compiled = compileSql92(parts.join(" OR "));
    expect(compiled.ok).toBe(true);
    if (compiled.ok) {
      expect(compiled.evaluate(new Map([["TAGS", "t7"]]))).toBe(true);
      expect(compiled.evaluate(new Map([["TAGS", "zz"]]))).toBe(false);
    }
  });

  it("refuses an expression over MAX_FILTER_EXPRESSION_LENGTH before looking at it", () => {
    const huge = `a = '${"x".repeat(1024 * 1024)}'`;
    const started = performance.now();
    const r = compileSql92(huge);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(`limit is ${MAX_FILTER_EXPRESSION_LENGTH}`);
    expect(performance.now() - started).toBeLessThan(50);
    expect(compileSql92(`a = '${"x".repeat(MAX_FILTER_EXPRESSION_LENGTH - 6)}'`).ok).toBe(true);
  });

  it("handles worst-case text at the length limit quickly", () => {
    const n = MAX_FILTER_EXPRESSION_LENGTH;
    const nasty = [
      "-- ".repeat(n / 3),
      "/*".repeat(n / 2),
      "'".repeat(n - 1),
      `a IN (${"'x',".repeat(n / 4 - 3)}'x')`,
      "1".repeat(n),
      `${"a = 1 ".repeat(n / 6)}`,
      `${"a OR ".repeat(n / 5 - 1)}a`,
    ];
    for (const text of nasty) {
      const started = performance.now();
      const r = compileSafely(text);
      if (r.ok && r.run) r.run(new Map([["a", "1"]]));
      expect(performance.now() - started, text.slice(0, 20)).toBeLessThan(500);
    }
  });
});
