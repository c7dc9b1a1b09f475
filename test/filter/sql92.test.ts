import { describe, expect, it } from "vitest";
import { compileSql92 } from "../../lib/filter/sql92.js";

/** Whether a message with these properties is delivered; fails the test if the expression does not compile. */
function matches(expression: string, props: Record<string, string> = {}): boolean {
  const compiled = compileSql92(expression);
  if (!compiled.ok) throw new Error(`${expression} did not compile: ${compiled.error}`);
  return compiled.evaluate(new Map(Object.entries(props)));
}

function compileError(expression: string): string {
  const compiled = compileSql92(expression);
  if (compiled.ok) throw new Error(`${expression} compiled`);
  return compiled.error;
}

// The cases of Apache's filter/src/test/.../ExpressionTest.java, with the results it asserts.
describe("Apache ExpressionTest cases", () => {
  const andExpression = "a=3 and b<>4 And c>5 AND d<=4";
  const orExpression = "a=3 or b<>4 Or c>5 OR d<=4";

  it("AND of four comparisons", () => {
    expect(matches(andExpression, { a: "3", b: "5", c: "6", d: "1" })).toBe(true);
    expect(matches(andExpression, { a: "4", b: "5", c: "6", d: "1" })).toBe(false);
  });

  it("OR of four comparisons", () => {
    expect(matches(orExpression, { a: "3" })).toBe(true);
    expect(matches(orExpression, { a: "4", b: "5" })).toBe(true);
    expect(matches(orExpression, { a: "4", b: "4", c: "6" })).toBe(true);
    expect(matches(orExpression, { a: "4", b: "4", c: "3", d: "2" })).toBe(true);
    expect(matches(orExpression, { a: "4", b: "4", c: "3", d: "10" })).toBe(false);
  });

  it("IN and NOT IN", () => {
    for (const a of ["3", "4", "5"]) expect(matches("a in ('3', '4', '5')", { a })).toBe(true);
    expect(matches("a in ('3', '4', '5')", { a: "8" })).toBe(false);
    expect(matches("a not in ('3', '4', '5')", { a: "8" })).toBe(true);
    for (const a of ["3", "4", "5"]) expect(matches("a not in ('3', '4', '5')", { a })).toBe(false);
  });

  it("BETWEEN and NOT BETWEEN include both bounds", () => {
    for (const a of ["2", "10", "3"]) expect(matches("a between 2 and 10", { a })).toBe(true);
    for (const a of ["1", "11"]) expect(matches("a between 2 and 10", { a })).toBe(false);
    for (const a of ["1", "11"]) expect(matches("a not between 2 and 10", { a })).toBe(true);
    for (const a of ["2", "10", "3"]) expect(matches("a not between 2 and 10", { a })).toBe(false);
  });

  it("IS NULL and IS NOT NULL test presence", () => {
    expect(matches("a is null", { abc: "2" })).toBe(true);
    expect(matches("a is null", { a: "2" })).toBe(false);
    expect(matches("a is not null", { a: "2" })).toBe(true);
    expect(matches("a is not null", { abc: "2" })).toBe(false);
  });

  it("equality on strings, booleans and quoted quotes", () => {
    expect(matches("a is not null and a='hello'", { a: "hello" })).toBe(true);
    expect(matches("a is not null and a='hello'", {})).toBe(false);
    expect(matches("a=TRUE OR b=FALSE", { a: "true", b: "false" })).toBe(true);
    expect(matches("a=TRUE OR b=FALSE", { a: "false", b: "true" })).toBe(false);
    expect(matches("TAGS is not null and TAGS='''''tag'''''", { TAGS: "''tag''" })).toBe(true);
  });

  it("NULL OR: unknown OR TRUE is TRUE", () => {
    expect(matches("a is null OR a='hello'", {})).toBe(true);
    expect(matches("a is null OR a='hello'", { a: "hello" })).toBe(true);
    expect(matches("a is null OR a='hello'", { a: "abc" })).toBe(false);
  });

  it("numbers with exponents and decimals, and two properties compared as numbers", () => {
    expect(matches("a > 3.1E10", { a: "3.1415E10" })).toBe(true);
    expect(matches("a > 3.14", { a: "3.1415" })).toBe(true);
    expect(matches("a > b", { a: "10", b: "20" })).toBe(false);
    expect(matches("a > b", { a: "20", b: "10" })).toBe(true);
    expect(matches("a > b", { a: "10", b: "9" })).toBe(true); // numerically, not as text
  });

  it("ordering strings that are not numbers is an error, so not matched", () => {
    expect(matches("a between up and low", { a: "3.14" })).toBe(false);
    expect(matches("a between up and low", { a: "3.14", up: "up", low: "low" })).toBe(false);
    expect(matches("NOT (a between up and low)", { a: "3.14", up: "up", low: "low" })).toBe(false);
    expect(matches("key is not null and key between 0 and 100", { key: "con" })).toBe(false);
    expect(matches("a between 0 and 100", { a: "abc" })).toBe(false);
    expect(matches("a=b", { a: "3.14", b: "3.14" })).toBe(true);
    expect(matches("a<>b", { a: "3.14", b: "3.14" })).toBe(false);
    expect(matches("a<>b", { a: "3.14", b: "3.141" })).toBe(true);
  });
});

describe("three-valued logic", () => {
  it("a comparison with an absent property is unknown, and unknown is not delivered", () => {
    expect(matches("a = 'x'")).toBe(false);
    expect(matches("a <> 'x'")).toBe(false);
    expect(matches("NOT (a = 'x')")).toBe(false);
    expect(matches("a > 1")).toBe(false);
    expect(matches("NOT (a > 1)")).toBe(false);
    expect(matches("a NOT IN ('x')")).toBe(false);
    expect(matches("a NOT BETWEEN 1 AND 2")).toBe(false);
  });

  it("AND and OR follow SQL's truth tables for unknown", () => {
    expect(matches("a = 'x' OR TRUE")).toBe(true);
    expect(matches("NOT (a = 'x' AND FALSE)")).toBe(true); // unknown AND FALSE = FALSE
    expect(matches("NOT (a = 'x' AND TRUE)")).toBe(false); // unknown AND TRUE = unknown
    expect(matches("NOT (a = 'x' OR FALSE)")).toBe(false); // unknown OR FALSE = unknown
    expect(matches("NOT (a = 'x' OR TRUE)")).toBe(false);
    expect(matches("NOT (FALSE OR a = 'x' OR FALSE)")).toBe(false);
    expect(matches("NOT (TRUE AND a = 'x' AND FALSE)")).toBe(true);
  });

  it("OR stops at the first TRUE, so a later evaluation error does not count", () => {
    expect(matches("a = 'x' OR b > 1", { a: "x", b: "oops" })).toBe(true);
    expect(matches("a = 'y' OR b > 1", { a: "x", b: "oops" })).toBe(false);
    expect(matches("NOT (a = 'y' OR b > 1)", { a: "x", b: "oops" })).toBe(false);
    expect(matches("NOT (a = 'y' AND b > 1)", { a: "x", b: "oops" })).toBe(true);
  });

  it("NULL = NULL is TRUE in Apache's equality, so two absent properties are equal", () => {
    expect(matches("a = b")).toBe(true);
    expect(matches("a <> b")).toBe(false);
    expect(matches("a = b", { b: "1" })).toBe(false); // unknown
    expect(matches("NOT (a = b)", { b: "1" })).toBe(false);
    expect(matches("NOT (a = b)", { a: "1" })).toBe(true); // value = unknown is FALSE
    expect(matches("NULL IS NULL")).toBe(true);
  });

  it("TRUE, FALSE and NULL alone", () => {
    expect(matches("TRUE", { a: "1" })).toBe(true);
    expect(matches("FALSE", { a: "1" })).toBe(false);
    expect(matches("NULL", { a: "1" })).toBe(false);
    expect(matches("NOT NULL")).toBe(false);
  });

  it("a bare property is a boolean cast that is never TRUE for a string value", () => {
    expect(matches("a", { a: "true" })).toBe(false);
    expect(matches("a")).toBe(false);
    expect(matches("NOT a", { a: "anything" })).toBe(true);
    expect(matches("NOT a")).toBe(false);
    expect(matches("a OR b = '1'", { a: "true", b: "1" })).toBe(true);
  });
});

describe("type coercion", () => {
  it("a property against an int literal is parsed with Integer.valueOf", () => {
    expect(matches("a = 1", { a: "1" })).toBe(true);
    expect(matches("a = 1", { a: "01" })).toBe(true);
    expect(matches("a = 1", { a: "+1" })).toBe(true);
    expect(matches("a = 1", { a: "\u0661" })).toBe(true); // ARABIC-INDIC DIGIT ONE: Java accepts Unicode digits
    expect(matches("a = 1", { a: "1.0" })).toBe(false);
    expect(matches("NOT (a = 1)", { a: "1.0" })).toBe(false); // an error, not FALSE
    expect(matches("a = 1", { a: " 1" })).toBe(false);
    expect(matches("a > 5", { a: "5.5" })).toBe(false);
    expect(matches("a > 2147483647", { a: "2147483648" })).toBe(false); // does not fit an int
  });

  it("a property against a long literal is parsed with Long.valueOf", () => {
    expect(matches("a > 2147483648", { a: "2147483649" })).toBe(true);
    expect(matches("a = 9223372036854775807", { a: "9223372036854775807" })).toBe(true);
    expect(matches("a < 9223372036854775807", { a: "9223372036854775806" })).toBe(true); // exact, not as doubles
    expect(matches("a < 9223372036854775807", { a: "9223372036854775808" })).toBe(false);
    expect(matches("a = 10L", { a: "10" })).toBe(true);
    expect(matches("a = 10000000000L", { a: "10000000000" })).toBe(true);
    expect(matches("a = -2147483648", { a: "-2147483648" })).toBe(true);
  });

  it("a property against a double literal is parsed with Double.valueOf", () => {
    expect(matches("a = 1.0", { a: "1" })).toBe(true);
    expect(matches("a = 1.0", { a: " 1 " })).toBe(true);
    expect(matches("a = 1.0", { a: "1d" })).toBe(true);
    expect(matches("a = 1.0", { a: "1F" })).toBe(true);
    expect(matches("a = 1.5", { a: "0x1.8p0" })).toBe(true);
    expect(matches("a = 50.0", { a: "5e1" })).toBe(true);
    expect(matches("a = 1.0", { a: "abc" })).toBe(false);
    expect(matches("a = 1.0", { a: "1_0" })).toBe(false);
    expect(matches("a > 5.0", { a: "5.5" })).toBe(true);
    expect(matches("a = 5E1", { a: "50" })).toBe(true);
    expect(matches("a = .5", { a: "0.5" })).toBe(true);
    expect(matches("a = 5.", { a: "5" })).toBe(true);
  });

  it("follows Double.compare: NaN is above everything and -0.0 is below 0.0", () => {
    expect(matches("a > 1.5", { a: "NaN" })).toBe(true);
    expect(matches("a < 1.5", { a: "NaN" })).toBe(false);
    expect(matches("a = b", { a: "NaN", b: "NaN" })).toBe(true); // equal as strings
    expect(matches("a >= b", { a: "NaN", b: "NaN" })).toBe(true);
    expect(matches("a < 0.0", { a: "-0" })).toBe(true);
    expect(matches("a = 0.0", { a: "-0.0" })).toBe(false);
    expect(matches("a > 1.0", { a: "Infinity" })).toBe(true);
  });

  it("int and double literals widen to compare", () => {
    expect(matches("1 = 1.0")).toBe(true);
    expect(matches("2147483648 > 2147483647")).toBe(true);
    expect(matches("a BETWEEN 1 AND 1.5", { a: "1" })).toBe(true);
    expect(matches("a BETWEEN 1 AND 1.5", { a: "1.2" })).toBe(false); // "1.2" is not an int for the lower bound
  });

  it("a property against TRUE/FALSE uses Boolean.valueOf, so FALSE matches any non-'true' text", () => {
    for (const a of ["true", "TRUE", "True"]) expect(matches("a = TRUE", { a })).toBe(true);
    expect(matches("a = TRUE", { a: "yes" })).toBe(false);
    expect(matches("a = FALSE", { a: "yes" })).toBe(true);
    expect(matches("'true' = TRUE")).toBe(true);
  });

  it("a boolean on the left of a string is an evaluation error", () => {
    expect(matches("(a = 'x') = 'true'", { a: "x" })).toBe(false);
    expect(matches("NOT ((a = 'x') = 'true')", { a: "x" })).toBe(false);
    expect(matches("(a = 'x') = TRUE", { a: "x" })).toBe(true);
  });

  it("a boolean against a number is simply unequal", () => {
    expect(matches("1 = TRUE")).toBe(false);
    expect(matches("1 <> TRUE")).toBe(true);
  });

  it("strings compare exactly, case-sensitively, by UTF-16 code units", () => {
    expect(matches("a = 'abc'", { a: "abc" })).toBe(true);
    expect(matches("a = 'abc'", { a: "ABC" })).toBe(false);
    expect(matches("a = 'héllo 😀'", { a: "héllo 😀" })).toBe(true);
    expect(matches("a = b", { a: "x", b: "x" })).toBe(true);
  });

  it("property names are case-sensitive", () => {
    expect(matches("A = 'x'", { a: "x" })).toBe(false);
    expect(matches("$a_1 = 'x'", { $a_1: "x" })).toBe(true);
  });
});

describe("unary operators", () => {
  it("minus negates numbers and makes anything else unknown", () => {
    expect(matches("a = -5", { a: "-5" })).toBe(true);
    expect(matches("a > -5", { a: "-4" })).toBe(true);
    expect(matches("- -5 = 5")).toBe(true);
    expect(matches("-a = 5", { a: "-5" })).toBe(false);
    expect(matches("(-a) IS NULL", { a: "5" })).toBe(true);
    expect(matches("-2.5 < -2", {})).toBe(true);
  });

  it("plus changes nothing", () => {
    expect(matches("+a = 'x'", { a: "x" })).toBe(true);
    expect(matches("+ + 1 = 1")).toBe(true);
  });

  it("NOT binds tighter than comparisons, as in Apache: NOT a = 'x' is (NOT a) = 'x'", () => {
    expect(matches("NOT a = 'x'", { a: "x" })).toBe(false);
    expect(matches("NOT a = 'x'", { a: "y" })).toBe(false);
    expect(matches("NOT a = 'x'")).toBe(false);
    expect(matches("NOT (a = 'x')", { a: "y" })).toBe(true);
    expect(matches("NOT a IS NULL", {})).toBe(true); // (NOT a) IS NULL
    expect(matches("NOT NOT (a = 'x')", { a: "x" })).toBe(true);
  });
});

describe("CONTAINS, STARTSWITH, ENDSWITH", () => {
  it("test substrings case-sensitively", () => {
    expect(matches("a CONTAINS 'ell'", { a: "hello" })).toBe(true);
    expect(matches("a CONTAINS 'ELL'", { a: "hello" })).toBe(false);
    expect(matches("a STARTSWITH 'he'", { a: "hello" })).toBe(true);
    expect(matches("a STARTSWITH 'lo'", { a: "hello" })).toBe(false);
    expect(matches("a ENDSWITH 'lo'", { a: "hello" })).toBe(true);
    expect(matches("a ENDSWITH 'he'", { a: "hello" })).toBe(false);
    expect(matches("a NOT CONTAINS 'x'", { a: "hello" })).toBe(true);
    expect(matches("a NOT STARTSWITH 'he'", { a: "hello" })).toBe(false);
    expect(matches("a NOT ENDSWITH 'he'", { a: "hello" })).toBe(true);
    expect(matches("a contains 'it''s'", { a: "it's" })).toBe(true);
  });

  it("are FALSE, not unknown, for an absent property, so NOT of them is TRUE", () => {
    expect(matches("a CONTAINS 'x'")).toBe(false);
    expect(matches("a NOT CONTAINS 'x'")).toBe(false);
    expect(matches("NOT (a CONTAINS 'x')")).toBe(true);
    expect(matches("NOT (a NOT STARTSWITH 'x')")).toBe(true);
  });

  it("are FALSE for an empty search string, negated or not", () => {
    expect(matches("a CONTAINS ''", { a: "abc" })).toBe(false);
    expect(matches("a NOT CONTAINS ''", { a: "abc" })).toBe(false);
    expect(matches("a STARTSWITH ''", { a: "abc" })).toBe(false);
    expect(matches("a NOT ENDSWITH ''", { a: "abc" })).toBe(false);
  });

  it("are FALSE on a non-string value", () => {
    expect(matches("(a = 'x') CONTAINS 'true'", { a: "x" })).toBe(false);
    expect(matches("(a = 'x') NOT CONTAINS 'true'", { a: "x" })).toBe(false);
  });
});

describe("lexical rules", () => {
  it("keywords ignore case", () => {
    expect(matches("a Is NoT nUlL aNd a iN ('1') oR FaLsE", { a: "1" })).toBe(true);
    expect(matches("a not between 1 AND 2 and a Contains '5'", { a: "5" })).toBe(true);
  });

  it("words that merely start with a keyword are property names", () => {
    expect(
      matches("notx = 'y' AND INx = 'z' AND isnull = 'w' AND now = 'v'", {
        notx: "y",
        INx: "z",
        isnull: "w",
        now: "v",
      }),
    ).toBe(true);
  });

  it("skips -- line comments and /* */ block comments", () => {
    expect(
      matches("a = 1 -- first\nAND b = 2 /* second\n */ AND /**/c = 3", { a: "1", b: "2", c: "3" }),
    ).toBe(true);
    expect(matches("/* lead */a = 1\r\n--\r\n", { a: "1" })).toBe(true);
  });

  it("skips tab, newline, carriage return and form feed", () => {
    expect(matches("\ta\n=\r1\f", { a: "1" })).toBe(true);
  });

  it("decodes '' inside string literals, which may span lines", () => {
    expect(matches("a = 'it''s'", { a: "it's" })).toBe(true);
    expect(matches("a = ''''", { a: "'" })).toBe(true);
    expect(matches("a = ''", { a: "" })).toBe(true);
    expect(matches("a = 'x\ny'", { a: "x\ny" })).toBe(true);
  });

  it("stops after a complete expression like Apache, whose grammar has no <EOF>", () => {
    expect(matches("a = 1 b = 2", { a: "1", b: "3" })).toBe(true);
    expect(matches("a = 1 )", { a: "1" })).toBe(true);
    expect(matches("a = 0L", { a: "0" })).toBe(true); // "0" then an ignored identifier "L"
    expect(matches("a = 1 -- no line end", { a: "1" })).toBe(true); // "-" "-" "no" ... ignored
  });
});

describe("compile errors", () => {
  const refused: Array<[string, string]> = [
    ["", "empty"],
    ["   ", "blank"],
    ["a and between 2 and 10", "keyword where an operand belongs (Apache ParserTest)"],
    [" a between 10 and 0", "reversed BETWEEN bounds (Apache ParserTest)"],
    ["a > 100000000000000000000000", "integer beyond a long (Apache ParserTest)"],
    ["a > 1e400", "double beyond Double.MAX_VALUE"],
    ["a > 'x'", "ordering a string literal"],
    ["a >= TRUE", "ordering a boolean"],
    ["(a > 1) > 2", "ordering a predicate"],
    ["a > 1 > 2", "chained ordering"],
    ["a BETWEEN 'a' AND 'b'", "BETWEEN strings"],
    ["a BETWEEN NULL AND 1", "BETWEEN NULL"],
    ["a BETWEEN 1 AND 'x'", "BETWEEN number and string"],
    ["a BETWEEN 3000000000 AND 1", "reversed BETWEEN of long and int"],
    ["a = NULL", "comparing with the NULL literal"],
    ["NULL <> a", "comparing the NULL literal"],
    ["TRUE = 1", "boolean literal against a number literal"],
    ["NOT 1", "NOT of a number"],
    ["1", "a number is not a boolean"],
    ["'x'", "a string is not a boolean"],
    ["-a", "a negation is not a boolean"],
    ["a = 1 AND 5", "AND with a number"],
    ["'x' OR a = 1", "OR with a string"],
    ["-a IN ('x')", "IN on something other than a property"],
    ["a IN ()", "empty IN list"],
    ["a IN (1, 2)", "IN with numbers"],
    ["a IN ('x',)", "trailing comma"],
    ["a CONTAINS b", "CONTAINS needs a string literal"],
    ["a NOT LIKE 'x'", "NOT followed by something other than BETWEEN/IN/CONTAINS"],
    ["a == 1", "double equals"],
    ["a != 1", "!= is not an operator"],
    ["a.b = 1", "no dots in identifiers"],
    ["a = 'abc", "unterminated string"],
    ["a = 1 /* never closed", "unterminated comment"],
    ["in = 'x'", "keyword as a property name"],
    ["(a = 1", "missing parenthesis"],
    ["a IS 1", "IS without NULL"],
    ["a IS NOT 1", "IS NOT without NULL"],
    ["a = 1 AND", "dangling AND"],
    ["a = 1 #", "lexical error in the token after the expression"],
    ["007 = a", "leading zeros split the number"],
    ["a = 1 OR b =", "missing right operand"],
    ["a BETWEEN 1 2", "BETWEEN without AND"],
  ];
  for (const [expression, why] of refused) {
    it(`refuses ${JSON.stringify(expression)}: ${why}`, () => {
      expect(compileError(expression).length).toBeGreaterThan(0);
    });
  }

  it("accepts the valid expressions of Apache's ParserTest", () => {
    for (const expression of [
      "a=3 and b<>4 And c>5 AND d<=4",
      "a=3  and    b<>4 And c>5 AND d<=4",
      "a=3 or b<>4 Or c>5 OR d<=4",
      "a in ('3', '4', '5')",
      "(a not in ('6', '4', '5')) or (b in ('3', '4', '5'))",
      "(a between 2 and 10) AND (b not between 6 and 9)",
      "a is null",
      "a is not null",
      "a <= now",
    ])
      expect(compileSql92(expression).ok).toBe(true);
  });

  it("accepts what Apache's construction checks allow", () => {
    for (const expression of [
      "1 = TRUE",
      "TRUE = TRUE",
      "(a) IN ('x')",
      "+a IN ('x')",
      "a NOT BETWEEN 10 AND 0",
      "a BETWEEN -5 AND -10",
      "a BETWEEN 1 AND 1",
      "a > -(b)",
      "a CONTAINS 'x' CONTAINS 'y'",
      "a IS NULL IS NULL",
      "NULL AND a = 1",
      "a > 0.0",
      "a = 1.7976931348623157E308",
    ])
      expect(compileSql92(expression).ok, expression).toBe(true);
  });

  it("points at the offending token by line and column", () => {
    expect(compileError("a and between 2 and 10")).toMatch(/Encountered "between" at line 1, column 7\./);
    expect(compileError("a = 1 AND\n  b = ")).toMatch(/Encountered <EOF> at line 2, column 7\./);
    expect(compileError("a = 1 AND\r\n  b ! 2")).toMatch(
      /Lexical error at line 2, column 5\. Encountered: "!" \(33\)/,
    );
    expect(compileError("a\r\r= #")).toMatch(/line 3, column 3/);
    expect(compileError("a IN (1)")).toMatch(
      /Encountered "1" at line 1, column 7\. Was expecting a string literal/,
    );
    expect(compileError("x = 'abc")).toMatch(
      /Lexical error at line 1, column 5\. Unterminated string literal "'abc"/,
    );
  });

  it("says why a construction check failed, and where", () => {
    expect(compileError("a > 'x'")).toMatch(/Value ''x'' cannot be compared at line 1, column 3\./);
    expect(compileError("a = NULL")).toMatch(/'NULL' cannot be compared at line 1, column 3/);
    expect(compileError("a between 10 and 0")).toMatch(/Illegal values of between.*column 3/);
    expect(compileError("NOT 1")).toMatch(/will not result in a boolean value: 1/);
    expect(compileError("a > 100000000000000000000000")).toMatch(
      /does not fit in a long at line 1, column 5/,
    );
  });
});
