import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { javaStringHashCode, tagsString2tagsCode } from "../../lib/protocol/tags.js";

/** Reference Java hashCode over UTF-16 code units, via BigInt (independent of the Math.imul implementation). */
function referenceHash(s: string): number {
  let h = 0n;
  for (let i = 0; i < s.length; i++) h = (h * 31n + BigInt(s.charCodeAt(i))) & 0xffffffffn;
  return Number(BigInt.asIntN(32, h));
}

describe("tagsString2tagsCode", () => {
  it("matches Java String.hashCode for known strings", () => {
    expect(tagsString2tagsCode("hello")).toBe(99162322);
    expect(tagsString2tagsCode("TagA")).toBe(2598919);
    expect(tagsString2tagsCode("ä中")).toBe(27081);
  });

  it("hashes UTF-16 code units, so a surrogate pair counts twice", () => {
    expect(tagsString2tagsCode("😀")).toBe(0xd83d * 31 + 0xde00);
  });

  it("wraps to a signed 32-bit int", () => {
    expect(javaStringHashCode("polygenelubricants")).toBe(-2147483648);
  });

  it("is 0 for an empty or missing tag", () => {
    expect(tagsString2tagsCode("")).toBe(0);
    expect(tagsString2tagsCode(undefined)).toBe(0);
  });

  it("agrees with a BigInt reference for any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const code = tagsString2tagsCode(s);
        expect(code).toBe(s.length === 0 ? 0 : referenceHash(s));
        expect(code).toBe(code | 0);
      }),
    );
  });
});
