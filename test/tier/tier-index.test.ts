import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import type { TierChunk } from "../../lib/ports/records/tier-manifest.js";
import { chunkDetails, type IndexedChunk, indexedChunkOf, TierIndex } from "../../lib/tier/tier-index.js";
import { errorOf } from "../support/error-of.js";

function chunk(start: number, end: number, queues: [string, number, number, number][]): IndexedChunk {
  return {
    startOffset: start,
    endOffset: end,
    objectKey: `k${start}`,
    dataBytes: end - start,
    indexBytes: 10,
    crc32: 1,
    minStoreTimestamp: start,
    maxStoreTimestamp: end,
    queues: queues.map(([topic, queueId, first, count]) => ({ topic, queueId, first, count })),
  };
}

describe("TierIndex", () => {
  const ix = new TierIndex();
  ix.add(
    chunk(0, 100, [
      ["A", 0, 0, 3],
      ["B", 1, 10, 2],
    ]),
  );
  ix.add(chunk(100, 250, [["A", 0, 3, 4]]));
  ix.add(chunk(300, 400, [["B", 1, 12, 1]]));

  it("finds the chunk holding a CommitLog offset, and none in a gap or past the end", () => {
    expect(ix.chunkAt(0)?.startOffset).toBe(0);
    expect(ix.chunkAt(249)?.startOffset).toBe(100);
    expect(ix.chunkAt(260)).toBeUndefined();
    expect(ix.chunkAt(400)).toBeUndefined();
    expect(ix.after(ix.chunkAt(100) as IndexedChunk)?.startOffset).toBe(300);
    expect(ix.committedOffset).toBe(400);
  });

  it("finds the chunk holding a queue offset and spans queues across chunks", () => {
    expect(ix.spanAt("A", 0, 2)).toMatchObject({ first: 0, chunk: { startOffset: 0 } });
    expect(ix.spanAt("A", 0, 6)).toMatchObject({ first: 3, chunk: { startOffset: 100 } });
    expect(ix.spanAt("A", 0, 7)).toBeUndefined();
    expect(ix.spanAt("B", 0, 0)).toBeUndefined();
    expect(ix.queueRange("A", 0)).toEqual({ minOffset: 0, maxOffset: 7 });
    expect(ix.queueRange("B", 1)).toEqual({ minOffset: 10, maxOffset: 13 });
    expect(ix.topicQueues()).toEqual(
      new Map([
        ["A", [0]],
        ["B", [1]],
      ]),
    );
  });

  it("refuses an overlapping chunk", () => {
    expect(
      isStratusError(
        errorOf(() => ix.add(chunk(390, 500, []))),
        "STORE_CORRUPT",
      ),
    ).toBe(true);
  });

  it("forgets the oldest chunk and the queues only it held", () => {
    const small = new TierIndex();
    small.add(
      chunk(0, 100, [
        ["A", 0, 0, 3],
        ["C", 0, 0, 1],
      ]),
    );
    small.add(chunk(100, 200, [["A", 0, 3, 1]]));
    expect(small.dropOldest()?.startOffset).toBe(0);
    expect(small.queueRange("A", 0)).toEqual({ minOffset: 3, maxOffset: 4 });
    expect(small.queueRange("C", 0)).toBeUndefined();
    expect(small.chunkAt(50)).toBeUndefined();
    expect(small.committedOffset).toBe(200);
  });
});

describe("chunk details in the manifest", () => {
  const c = chunk(0, 100, [["A", 0, 0, 3]]);
  const record = (details: TierChunk["details"]): TierChunk => ({
    startOffset: 0,
    endOffset: 100,
    segmentBaseOffset: 0,
    objectKey: "k0",
    sizeBytes: 110,
    createdAtMs: 1,
    details,
  });

  it("round-trips through the manifest record", () => {
    expect(indexedChunkOf(record(chunkDetails(c)))).toEqual(c);
  });

  it("raises STORE_CORRUPT for malformed details", () => {
    for (const details of [
      {},
      { ...chunkDetails(c), queues: "x" },
      { ...chunkDetails(c), queues: [["A", 0, "x", 1]] },
      { ...chunkDetails(c), dataBytes: -1 },
    ]) {
      expect(
        isStratusError(
          errorOf(() => indexedChunkOf(record(details))),
          "STORE_CORRUPT",
        ),
      ).toBe(true);
    }
  });
});
