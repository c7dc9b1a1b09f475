import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { coalesceParts } from "../../lib/protocol/remoting-command.js";

/** Cuts `block` at `cuts` into back-to-back views (what a store read hands a pull). */
function viewsOf(block: Buffer, cuts: readonly number[]): Buffer[] {
  const edges = [...new Set([0, ...cuts.map((c) => c % (block.length + 1)), block.length])].sort(
    (a, b) => a - b,
  );
  return edges.slice(1).map((end, i) => block.subarray(edges[i], end));
}

describe("coalesceParts", () => {
  it("merges back-to-back views of one block into one view without copying", () => {
    const block = Buffer.from("abcdefghij");
    const out = coalesceParts(viewsOf(block, [2, 5, 7]));
    expect(out).toHaveLength(1);
    expect(out[0]?.toString()).toBe("abcdefghij");
    block[0] = 0x41;
    expect(out[0]?.toString()).toBe("Abcdefghij");
  });

  it("keeps views apart when they skip bytes, change blocks or go backwards", () => {
    const a = Buffer.from("0123456789");
    const b = Buffer.from("xyz");
    const out = coalesceParts([a.subarray(0, 2), a.subarray(3, 5), b, a.subarray(5, 6), a.subarray(1, 2)]);
    expect(out.map(String)).toEqual(["01", "34", "xyz", "5", "1"]);
  });

  it("drops empty pieces and keeps every byte in order (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ len: fc.integer({ min: 0, max: 64 }), cuts: fc.array(fc.nat(), { maxLength: 8 }) }),
          {
            maxLength: 6,
          },
        ),
        fc.array(fc.nat(), { maxLength: 20 }),
        (blocks, drop) => {
          const pieces = blocks.flatMap(({ len, cuts }) => viewsOf(Buffer.alloc(len, len), cuts));
          for (const d of drop) if (pieces.length > 0) pieces.splice(d % pieces.length, 1);
          const out = coalesceParts(pieces);
          expect(Buffer.concat(out)).toEqual(Buffer.concat(pieces));
          expect(out.every((p) => p.length > 0)).toBe(true);
          expect(out.length).toBeLessThanOrEqual(pieces.filter((p) => p.length > 0).length);
          for (let i = 1; i < out.length; i++) {
            const prev = out[i - 1] as Buffer;
            const cur = out[i] as Buffer;
            const adjacent = prev.buffer === cur.buffer && prev.byteOffset + prev.length === cur.byteOffset;
            expect(adjacent).toBe(false);
          }
        },
      ),
    );
  });
});
