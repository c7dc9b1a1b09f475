/**
 * Property test: random well-typed selectors, rendered to text in random styles, must compile and give the same
 * answer as a straightforward reference evaluator written here from the rules of protocol §10.9 and Apache's
 * evaluator (it walks the generated tree, never the parser's output).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileSql92 } from "../../lib/filter/sql92.js";

// ---------- the generated language ----------

type Operand =
  | { k: "prop"; name: string }
  | { k: "str"; v: string }
  | { k: "int"; v: number; suffix: boolean }
  | { k: "long"; v: bigint; suffix: boolean }
  | { k: "dbl"; text: string }
  | { k: "bool"; v: boolean }
  | { k: "neg"; of: Operand };

type Pred = { wrap: boolean } & (
  | { k: "eq"; ne: boolean; l: Operand; r: Operand }
  | { k: "ord"; op: ">" | ">=" | "<" | "<="; l: Operand; r: Operand }
  | { k: "between"; not: boolean; v: Operand; lo: Operand; hi: Operand }
  | { k: "in"; not: boolean; name: string; list: string[] }
  | { k: "isnull"; not: boolean; v: Operand }
  | { k: "strop"; op: "CONTAINS" | "STARTSWITH" | "ENDSWITH"; not: boolean; v: Operand; s: string }
  | { k: "cast"; name: string }
  | { k: "const"; v: boolean | null }
  | { k: "not"; p: Pred }
  | { k: "and" | "or"; ps: Pred[] }
);

const NAMES = ["a", "b", "c", "TAGS"];
const VALUES = [
  ...["0", "1", "-1", "2", "3", "7", "10", "-5", "01", "+3", " 1", "1d"],
  ...["2147483647", "2147483648", "-2147483648", "-2147483649", "9223372036854775807", "9223372036854775808"],
  ...["1.5", "-0.5", "0.0", "-0", "1e3", "3.0", ".5", "NaN", "Infinity", "-Infinity"],
  ...["abc", "", "true", "TRUE", "false", "x'y", "ab", "bc"],
];
const DOUBLES = ["0.5", "1.5", "2.0", "1e3", ".5", "3.", "0.0", "1E1", "2.5e-1"];

const name = fc.constantFrom(...NAMES);
const text = fc.constantFrom(...VALUES);
const numberOperand: fc.Arbitrary<Operand> = fc.oneof(
  fc.record({
    k: fc.constant("int" as const),
    v: fc.constantFrom(0, 1, 2, 3, 5, 7, 10, 2147483647),
    suffix: fc.boolean(),
  }),
  fc.record({
    k: fc.constant("long" as const),
    v: fc.constantFrom(2147483648n, 3000000000n, 9223372036854775807n),
    suffix: fc.boolean(),
  }),
  fc.record({ k: fc.constant("dbl" as const), text: fc.constantFrom(...DOUBLES) }),
);
const plainOperand: fc.Arbitrary<Operand> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant("prop" as const), name }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("str" as const), v: text }) },
  { weight: 2, arbitrary: numberOperand },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("bool" as const), v: fc.boolean() }) },
);
const negOperand: fc.Arbitrary<Operand> = fc.record({
  k: fc.constant("neg" as const),
  of: fc.oneof(plainOperand, fc.record({ k: fc.constant("neg" as const), of: plainOperand })),
});
const anyOperand = fc.oneof({ weight: 5, arbitrary: plainOperand }, { weight: 1, arbitrary: negOperand });
/** What Apache lets be ordered: properties, numbers and negations. */
const orderable = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant("prop" as const), name }) },
  { weight: 2, arbitrary: numberOperand },
  { weight: 1, arbitrary: negOperand },
);

const isConstant = (o: Operand) => o.k !== "prop" && o.k !== "neg";

function leafPred(): fc.Arbitrary<Pred> {
  const wrap = fc.boolean();
  return fc.oneof(
    fc
      .record({ k: fc.constant("eq" as const), ne: fc.boolean(), l: anyOperand, r: anyOperand, wrap })
      // Apache refuses TRUE/FALSE on the left of a non-boolean constant; put the boolean on the right instead.
      .map((p) => (p.l.k === "bool" && isConstant(p.r) && p.r.k !== "bool" ? { ...p, l: p.r, r: p.l } : p)),
    fc.record({
      k: fc.constant("ord" as const),
      op: fc.constantFrom(">", ">=", "<", "<=") as fc.Arbitrary<">">,
      l: orderable,
      r: orderable,
      wrap,
    }),
    fc
      .record({
        k: fc.constant("between" as const),
        not: fc.boolean(),
        v: orderable,
        lo: orderable,
        hi: orderable,
        wrap,
      })
      // Apache refuses constant bounds in descending order (for BETWEEN, not NOT BETWEEN).
      .map((p) =>
        !p.not &&
        isConstant(p.lo) &&
        isConstant(p.hi) &&
        refCompare(refOperand(p.hi, new Map()), refOperand(p.lo, new Map())) < 0
          ? { ...p, lo: p.hi, hi: p.lo }
          : p,
      ),
    fc.record({
      k: fc.constant("in" as const),
      not: fc.boolean(),
      name,
      list: fc.array(text, { minLength: 1, maxLength: 6 }),
      wrap,
    }),
    fc.record({ k: fc.constant("isnull" as const), not: fc.boolean(), v: anyOperand, wrap }),
    fc.record({
      k: fc.constant("strop" as const),
      op: fc.constantFrom("CONTAINS", "STARTSWITH", "ENDSWITH") as fc.Arbitrary<"CONTAINS">,
      not: fc.boolean(),
      v: anyOperand,
      s: fc.constantFrom("", "a", "b", "1", "ab", "'", "TRUE"),
      wrap,
    }),
    fc.record({ k: fc.constant("cast" as const), name, wrap }),
    fc.record({ k: fc.constant("const" as const), v: fc.constantFrom(true, false, null), wrap }),
  );
}

const predArb: fc.Arbitrary<Pred> = fc.letrec<{ pred: Pred }>((tie) => ({
  pred: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 5, arbitrary: leafPred() },
    {
      weight: 1,
      arbitrary: fc.record({ k: fc.constant("not" as const), p: tie("pred"), wrap: fc.boolean() }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        k: fc.constantFrom("and" as const, "or" as const),
        ps: fc.array(tie("pred"), { minLength: 2, maxLength: 4 }),
        wrap: fc.boolean(),
      }),
    },
  ),
})).pred;

// ---------- rendering ----------

interface Style {
  keyword: (k: string) => string;
  gap: string;
}
const styleArb: fc.Arbitrary<Style> = fc.record({
  keyword: fc.constantFrom(
    (k: string) => k,
    (k: string) => k.toLowerCase(),
    (k: string) => [...k].map((c, i) => (i % 2 ? c.toLowerCase() : c)).join(""),
  ),
  gap: fc.constantFrom(" ", "  ", "\n", "\t", " /* c */ ", " -- c\n", "\r\n"),
});

function renderOperand(o: Operand, s: Style): string {
  switch (o.k) {
    case "prop":
      return o.name;
    case "str":
      return `'${o.v.replaceAll("'", "''")}'`;
    case "int":
    case "long":
      return `${o.v}${o.suffix && o.v !== 0 ? "L" : ""}`; // "0L" is "0" then an identifier, as in Apache
    case "dbl":
      return o.text;
    case "bool":
      return s.keyword(o.v ? "TRUE" : "FALSE");
    case "neg":
      return `-${s.gap}${renderOperand(o.of, s)}`; // a gap, so that "- -1" never becomes a "--" comment
  }
}

/** Binding strength: OR 1, AND 2, equality level 3, comparison level 4, unary 5. */
function rank(p: Pred): number {
  if (p.wrap) return 5;
  return { or: 1, and: 2, eq: 3, isnull: 3, ord: 4, between: 4, in: 4, strop: 4, cast: 5, const: 5, not: 5 }[
    p.k
  ];
}

function renderPred(p: Pred, s: Style): string {
  const body = renderBody(p, s);
  return p.wrap ? `(${s.gap}${body}${s.gap})` : body;
}

function renderBody(p: Pred, s: Style): string {
  const k = s.keyword;
  const g = s.gap;
  switch (p.k) {
    case "eq":
      return `${renderOperand(p.l, s)}${g}${p.ne ? "<>" : "="}${g}${renderOperand(p.r, s)}`;
    case "ord":
      return `${renderOperand(p.l, s)}${g}${p.op}${g}${renderOperand(p.r, s)}`;
    case "between":
      return [
        renderOperand(p.v, s),
        p.not ? k("NOT") : "",
        k("BETWEEN"),
        renderOperand(p.lo, s),
        k("AND"),
        renderOperand(p.hi, s),
      ]
        .filter((x) => x)
        .join(g);
    case "in":
      return [
        p.name,
        p.not ? k("NOT") : "",
        k("IN"),
        `(${p.list.map((v) => `'${v.replaceAll("'", "''")}'`).join(`,${g}`)})`,
      ]
        .filter((x) => x)
        .join(g);
    case "isnull":
      return [renderOperand(p.v, s), k("IS"), p.not ? k("NOT") : "", k("NULL")].filter((x) => x).join(g);
    case "strop":
      return [renderOperand(p.v, s), p.not ? k("NOT") : "", k(p.op), `'${p.s.replaceAll("'", "''")}'`]
        .filter((x) => x)
        .join(g);
    case "cast":
      return p.name;
    case "const":
      return k(p.v === null ? "NULL" : p.v ? "TRUE" : "FALSE");
    case "not": {
      const inner = renderPred(p.p, s);
      return `${k("NOT")}${g}${rank(p.p) === 5 ? inner : `(${inner})`}`;
    }
    case "and":
    case "or": {
      const min = p.k === "and" ? 2 : 1;
      return p.ps
        .map((c) => (rank(c) < min ? `(${renderPred(c, s)})` : renderPred(c, s)))
        .join(`${g}${k(p.k.toUpperCase())}${g}`);
    }
  }
}

// ---------- the reference evaluator ----------

class RefError extends Error {}
type RefNumber = { cls: "int" | "long"; v: bigint } | { cls: "double"; v: number };
type RefValue = undefined | string | boolean | RefNumber;

function refOperand(o: Operand, props: Map<string, string>): RefValue {
  switch (o.k) {
    case "prop":
      return props.get(o.name);
    case "str":
      return o.v;
    case "int":
      return { cls: "int", v: BigInt(o.v) };
    case "long":
      return { cls: "long", v: o.v };
    case "dbl":
      return { cls: "double", v: Number.parseFloat(o.text) };
    case "bool":
      return o.v;
    case "neg": {
      const x = refOperand(o.of, props);
      if (typeof x !== "object") return undefined;
      if (x.cls === "double") return { cls: "double", v: -x.v };
      return { cls: x.cls, v: BigInt.asIntN(x.cls === "int" ? 32 : 64, -x.v) };
    }
  }
}

function refDouble(s: string): number {
  let [from, to] = [0, s.length];
  while (from < to && s.charCodeAt(from) <= 32) from++;
  while (to > from && s.charCodeAt(to - 1) <= 32) to--;
  const t = s.slice(from, to);
  const special = /^([+-]?)(NaN|Infinity)$/.exec(t);
  if (special)
    return (special[1] === "-" ? -1 : 1) * (special[2] === "NaN" ? Number.NaN : Number.POSITIVE_INFINITY);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?$/.test(t)) throw new RefError(`not a double: ${s}`);
  return Number(t.replace(/[fFdD]$/, ""));
}

function refParse(s: string, cls: RefNumber["cls"]): RefNumber {
  if (cls === "double") return { cls, v: refDouble(s) };
  if (!/^[+-]?\d+$/.test(s)) throw new RefError(`not an integer: ${s}`);
  const v = BigInt(s);
  const bits = cls === "int" ? 32n : 64n;
  if (v < -(2n ** (bits - 1n)) || v >= 2n ** (bits - 1n)) throw new RefError(`out of range: ${s}`);
  return { cls, v };
}

function doubleOrder(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
  if (a !== b) return a < b ? -1 : 1;
  if (a !== 0) return 0;
  const [ia, ib] = [1 / a, 1 / b]; // -Infinity for -0.0, so -0.0 sorts first
  return ia === ib ? 0 : ia < ib ? -1 : 1;
}

function numberOrder(a: RefNumber, b: RefNumber): number {
  if (a.cls === "double" || b.cls === "double") return doubleOrder(Number(a.v), Number(b.v));
  return a.v === b.v ? 0 : a.v < b.v ? -1 : 1;
}

function refCompare(l: RefValue, r: RefValue): number {
  if (l === undefined || r === undefined) throw new Error("refCompare on unknown");
  if (typeof l === "string" && typeof r === "string") return l === r ? 0 : l < r ? -1 : 1;
  if (typeof l === "boolean" && typeof r === "boolean") return Number(l) - Number(r);
  if (typeof l === "string" && typeof r === "boolean") return Number(l.toLowerCase() === "true") - Number(r);
  if (typeof l === "boolean") {
    if (typeof r === "string") throw new RefError("Boolean cast to String");
    return -1;
  }
  if (typeof r === "boolean") return -1;
  if (typeof l === "string") return numberOrder(refParse(l, (r as RefNumber).cls), r as RefNumber);
  if (typeof r === "string") return numberOrder(l, refParse(r, l.cls));
  return numberOrder(l, r);
}

type Tri = boolean | undefined;

function refOrdering(op: string, l: Operand, r: Operand, props: Map<string, string>): Tri {
  const lv = refOperand(l, props);
  if (lv === undefined) return undefined;
  const rv = refOperand(r, props);
  if (rv === undefined) return undefined;
  const c =
    typeof lv === "string" && typeof rv === "string"
      ? doubleOrder(refDouble(lv), refDouble(rv))
      : refCompare(lv, rv);
  return op === ">" ? c > 0 : op === ">=" ? c >= 0 : op === "<" ? c < 0 : c <= 0;
}

function refLogic(isAnd: boolean, parts: Array<() => Tri>): Tri {
  let unknown = false;
  for (const part of parts) {
    const v = part();
    if (v === undefined) unknown = true;
    else if (v !== isAnd) return v;
  }
  return unknown ? undefined : isAnd;
}

function refPred(p: Pred, props: Map<string, string>): Tri {
  switch (p.k) {
    case "eq": {
      const l = refOperand(p.l, props);
      const r = refOperand(p.r, props);
      const eq =
        l === undefined
          ? r === undefined
            ? true
            : undefined
          : r === undefined
            ? false
            : refCompare(l, r) === 0;
      return p.ne && eq !== undefined ? !eq : eq;
    }
    case "ord":
      return refOrdering(p.op, p.l, p.r, props);
    case "between":
      return p.not
        ? refLogic(false, [
            () => refOrdering("<", p.v, p.lo, props),
            () => refOrdering(">", p.v, p.hi, props),
          ])
        : refLogic(true, [
            () => refOrdering(">=", p.v, p.lo, props),
            () => refOrdering("<=", p.v, p.hi, props),
          ]);
    case "in": {
      const v = props.get(p.name);
      return v === undefined ? undefined : p.list.includes(v) !== p.not;
    }
    case "isnull":
      return (refOperand(p.v, props) === undefined) !== p.not;
    case "strop": {
      const v = refOperand(p.v, props);
      if (p.s === "" || typeof v !== "string") return false;
      const hit =
        p.op === "CONTAINS"
          ? v.indexOf(p.s) >= 0
          : p.op === "STARTSWITH"
            ? v.slice(0, p.s.length) === p.s
            : v.slice(v.length - p.s.length) === p.s;
      return hit !== p.not;
    }
    case "cast":
      return props.has(p.name) ? false : undefined;
    case "const":
      return p.v ?? undefined;
    case "not": {
      const v = refPred(p.p, props);
      return v === undefined ? undefined : !v;
    }
    case "and":
    case "or":
      return refLogic(
        p.k === "and",
        p.ps.map((c) => () => refPred(c, props)),
      );
  }
}

function refMatches(p: Pred, props: Map<string, string>): boolean {
  try {
    return refPred(p, props) === true;
  } catch (e) {
    if (e instanceof RefError) return false;
    throw e;
  }
}

const propsArb = fc.array(fc.tuple(name, text), { maxLength: 4 }).map((entries) => new Map(entries));

describe("SQL92 evaluation against a reference evaluator", () => {
  it("agrees on random well-typed selectors and property maps", () => {
    fc.assert(
      fc.property(
        predArb,
        styleArb,
        fc.array(propsArb, { minLength: 1, maxLength: 4 }),
        (pred, style, maps) => {
          const source = renderPred(pred, style);
          const compiled = compileSql92(source);
          if (!compiled.ok) throw new Error(`${JSON.stringify(source)} did not compile: ${compiled.error}`);
          for (const props of maps)
            expect(compiled.evaluate(props), `${source} with ${JSON.stringify([...props])}`).toBe(
              refMatches(pred, props),
            );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("gives the same answer for every rendering style of one selector", () => {
    fc.assert(
      fc.property(predArb, styleArb, styleArb, propsArb, (pred, s1, s2, props) => {
        const a = compileSql92(renderPred(pred, s1));
        const b = compileSql92(renderPred(pred, s2));
        expect(a.ok && b.ok).toBe(true);
        if (a.ok && b.ok) expect(a.evaluate(props)).toBe(b.evaluate(props));
      }),
      { numRuns: 500 },
    );
  });
});
