import { describe, expect, it } from "vitest";
import { isTagMatched, parseTagExpression } from "../../lib/filter/tag-expression.js";
import { javaStringHashCode } from "../../lib/protocol/tags.js";

describe("parseTagExpression", () => {
  it("treats '*' and the empty expression as every tag", () => {
    for (const all of ["*", ""]) {
      const e = parseTagExpression(all);
      expect(e).toEqual({ all: true, tags: [], codes: [] });
      expect(isTagMatched(e, 0)).toBe(true);
      expect(isTagMatched(e, javaStringHashCode("anything"))).toBe(true);
    }
  });

  it("splits on ||, trims Java-style and drops empty parts and duplicates", () => {
    const e = parseTagExpression(" TagA ||TagB|| ||\tTagA\u0001|| ");
    expect(e.all).toBe(false);
    expect(e.tags).toEqual(["TagA", "TagB"]);
    expect(e.codes).toEqual([javaStringHashCode("TagA"), javaStringHashCode("TagB")]);
  });

  it("keeps a single | inside a tag, as Java's split on \\|\\| does", () => {
    expect(parseTagExpression("a|||b").tags).toEqual(["a", "|b"]);
  });

  it("matches the ConsumeQueue tagsCode against the codes, and an untagged message (0) only with '*'", () => {
    const e = parseTagExpression("TagA || TagB");
    expect(isTagMatched(e, javaStringHashCode("TagA"))).toBe(true);
    expect(isTagMatched(e, javaStringHashCode("TagC"))).toBe(false);
    expect(isTagMatched(e, 0)).toBe(false);
    expect(isTagMatched(e, 2 ** 32 + javaStringHashCode("TagB"))).toBe(true); // (int) of a long tagsCode
  });

  it("a ' * ' with spaces is a tag named '*', not every tag (Apache compares exactly)", () => {
    const e = parseTagExpression(" * ");
    expect(e.all).toBe(false);
    expect(e.tags).toEqual(["*"]);
  });

  it("an expression of only separators matches nothing", () => {
    const e = parseTagExpression("||");
    expect(e).toEqual({ all: false, tags: [], codes: [] });
    expect(isTagMatched(e, 0)).toBe(false);
  });
});
