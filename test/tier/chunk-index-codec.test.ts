import { crc32 } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import { encodeConsumeQueueUnit } from "../../lib/store/consumequeue/consume-queue-unit.js";
import {
  type ChunkIndex,
  decodeChunkIndex,
  encodeChunkIndex,
  HEADER_BYTES,
  KEY_COUNT_POS,
  QUEUE_COUNT_POS,
} from "../../lib/tier/chunk-index-codec.js";
import { readGolden } from "../golden/message/golden-hex.js";
import { errorOf } from "../support/error-of.js";

const START = 0x0000111213141516;

const golden: ChunkIndex = {
  startOffset: START,
  endOffset: 0x0000111213241516,
  queues: [
    {
      topic: "Tq",
      queueId: 0x102,
      firstQueueOffset: 0x0a0b0c0d0e,
      units: Buffer.concat([
        encodeConsumeQueueUnit({ commitLogOffset: START, size: 0x123, tagsCode: 0xc0c1c2c3 }),
        encodeConsumeQueueUnit({ commitLogOffset: 0x0000111213141639, size: 0x456, tagsCode: -2 }),
      ]),
    },
  ],
  keys: [{ hash: 0x7a7b7c7d, phy: START + 0x123, storeTimestamp: 0x0000018bcfe56800 }],
};

/** Re-seals a mutated index with a valid CRC, so the checks behind the CRC are reached. */
function resealed(buf: Buffer): Buffer {
  const out = Buffer.from(buf);
  out.writeUInt32BE(crc32(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}

const corrupt = (buf: Buffer) =>
  isStratusError(
    errorOf(() => decodeChunkIndex(buf)),
    "STORE_CORRUPT",
  );

describe("chunk index golden fixture", () => {
  it("encodes byte for byte", () => {
    expect(encodeChunkIndex(golden)).toEqual(readGolden("tier/chunk-index.hex"));
  });

  it("decodes to the same index", () => {
    const d = decodeChunkIndex(readGolden("tier/chunk-index.hex"));
    expect({ ...d, queues: d.queues.map((q) => ({ ...q, units: Buffer.from(q.units) })) }).toEqual(golden);
  });
});

describe("decodeChunkIndex on hostile input", () => {
  const good = readGolden("tier/chunk-index.hex");

  it("raises STORE_CORRUPT for every truncation", () => {
    for (let n = 0; n < good.length; n++) expect(corrupt(good.subarray(0, n))).toBe(true);
  });

  it("raises STORE_CORRUPT for every single flipped byte (CRC) and for bad fields behind a valid CRC", () => {
    for (let i = 0; i < good.length; i++) {
      const b = Buffer.from(good);
      b[i] = (b[i] as number) ^ 0x5a;
      expect(corrupt(b)).toBe(true);
    }
    const counts = Buffer.from(good);
    counts.writeInt32BE(0x7fffffff, QUEUE_COUNT_POS);
    expect(corrupt(resealed(counts))).toBe(true);
    const keys = Buffer.from(good);
    keys.writeInt32BE(-1, KEY_COUNT_POS);
    expect(corrupt(resealed(keys))).toBe(true);
    const topicLen = Buffer.from(good);
    topicLen.writeInt16BE(0x7fff, HEADER_BYTES);
    expect(corrupt(resealed(topicLen))).toBe(true);
    const hugeLong = Buffer.from(good);
    hugeLong.writeUInt32BE(0xffffffff, 8);
    expect(corrupt(resealed(hugeLong))).toBe(true);
  });

  it("raises STORE_CORRUPT (never another error) for random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(corrupt(Buffer.from(bytes))).toBe(true);
        expect(
          corrupt(resealed(Buffer.concat([good.subarray(0, 8), Buffer.from(bytes), Buffer.alloc(4)]))),
        ).toBe(true);
      }),
    );
  });
});

describe("chunk index round trip", () => {
  const unit = fc.record({
    commitLogOffset: fc.integer({ min: 0, max: 2 ** 40 }),
    size: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    tagsCode: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  });
  const index = fc
    .record({
      startOffset: fc.integer({ min: 0, max: 2 ** 50 }),
      length: fc.integer({ min: 1, max: 1 << 20 }),
      queues: fc.array(
        fc.record({
          topic: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => Buffer.byteLength(s) <= 381),
          queueId: fc.integer({ min: 0, max: 1023 }),
          firstQueueOffset: fc.integer({ min: 0, max: 2 ** 50 }),
          units: fc.array(unit, { minLength: 1, maxLength: 5 }),
        }),
        { maxLength: 5 },
      ),
      keys: fc.array(
        fc.record({
          hash: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          rel: fc.nat(),
          storeTimestamp: fc.integer({ min: 0, max: 2 ** 45 }),
        }),
        { maxLength: 8 },
      ),
    })
    .map(
      (r): ChunkIndex => ({
        startOffset: r.startOffset,
        endOffset: r.startOffset + r.length,
        queues: r.queues.map((q) => ({ ...q, units: Buffer.concat(q.units.map(encodeConsumeQueueUnit)) })),
        keys: r.keys.map((k) => ({
          hash: k.hash,
          phy: r.startOffset + (k.rel % r.length),
          storeTimestamp: k.storeTimestamp,
        })),
      }),
    );

  it("decodes what it encodes", () => {
    fc.assert(
      fc.property(index, (ix) => {
        const d = decodeChunkIndex(encodeChunkIndex(ix));
        expect(d.startOffset).toBe(ix.startOffset);
        expect(d.endOffset).toBe(ix.endOffset);
        expect(d.keys).toEqual(ix.keys);
        expect(d.queues.map((q) => ({ ...q, units: Buffer.from(q.units) }))).toEqual(ix.queues);
      }),
    );
  });
});
