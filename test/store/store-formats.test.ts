import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import { decodeCheckpoint, encodeCheckpoint, type StoreCheckpointData } from "../../lib/store/checkpoint.js";
import {
  decodeConsumeQueueUnit,
  encodeConsumeQueueUnit,
} from "../../lib/store/consumequeue/consume-queue-unit.js";
import { IndexFile } from "../../lib/store/index/index-file.js";
import {
  decodeIndexHeader,
  decodeIndexItem,
  encodeIndexHeader,
  encodeIndexItem,
  indexKeyHash,
} from "../../lib/store/index/index-file-codec.js";
import { readGolden } from "../golden/message/golden-hex.js";
import { errorOf } from "../support/error-of.js";
import { tempDir } from "./store-fixtures.js";

const B = 0x0000018bcfe56800;

describe("ConsumeQueue unit golden fixture", () => {
  const units = [
    { commitLogOffset: 0x0001020304050607, size: 0x08090a0b, tagsCode: 0x001b1c1d1e1f2021 },
    { commitLogOffset: 0x0000313233343536, size: 0x123, tagsCode: -2 },
  ];

  it("encodes byte for byte", () => {
    expect(Buffer.concat(units.map(encodeConsumeQueueUnit))).toEqual(
      readGolden("store/consume-queue-units.hex"),
    );
  });

  it("decodes unit by unit", () => {
    const buf = readGolden("store/consume-queue-units.hex");
    expect([decodeConsumeQueueUnit(buf, 0), decodeConsumeQueueUnit(buf, 20)]).toEqual(units);
  });

  it("raises STORE_CORRUPT for short buffers, bad positions and longs beyond 2^53", () => {
    const buf = readGolden("store/consume-queue-units.hex");
    for (const [b, at] of [
      [buf.subarray(0, 19), 0],
      [buf, 21],
      [buf, -1],
      [buf, 0.5],
      [Buffer.alloc(20, 0x7f), 0],
    ] as const) {
      expect(
        isStratusError(
          errorOf(() => decodeConsumeQueueUnit(b, at)),
          "STORE_CORRUPT",
        ),
      ).toBe(true);
    }
  });

  it("round-trips any unit", () => {
    const long = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(long, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), long, (o, s, t) => {
        const u = { commitLogOffset: o, size: s, tagsCode: t };
        expect(decodeConsumeQueueUnit(encodeConsumeQueueUnit(u))).toEqual(u);
      }),
    );
  });

  it("decodes random bytes at any position exactly when the unit fits and its longs are safe, else STORE_CORRUPT (property)", () => {
    const pos = fc.oneof(fc.integer({ min: -4, max: 64 }), fc.double({ noNaN: false }));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), pos, (bytes, at) => {
        const buf = Buffer.from(bytes);
        const fits = Number.isInteger(at) && at >= 0 && at + 20 <= buf.length;
        const safe = (o: number) => {
          const v = buf.readBigInt64BE(at + o);
          return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER);
        };
        const e = errorOf(() => decodeConsumeQueueUnit(buf, at));
        if (fits && safe(0) && safe(12)) {
          expect(e).toBeUndefined();
          expect(decodeConsumeQueueUnit(buf, at)).toEqual({
            commitLogOffset: Number(buf.readBigInt64BE(at)),
            size: buf.readInt32BE(at + 8),
            tagsCode: Number(buf.readBigInt64BE(at + 12)),
          });
        } else {
          expect(isStratusError(e, "STORE_CORRUPT"), String(e)).toBe(true);
        }
      }),
    );
  });
});

describe("IndexFile golden fixtures", () => {
  const header = {
    beginTimestamp: B,
    endTimestamp: 0x0000018bcfe5a2b4,
    beginPhyOffset: 0x0000000102030405,
    endPhyOffset: 0x0000000a0b0c0d0e,
    hashSlotCount: 0x11,
    indexCount: 0x22,
  };
  const item = { keyHash: 0x12345678, phyOffset: 0x0000010203040506, timeDiff: 3600, prevIndex: 31 };

  it("encodes and decodes the header", () => {
    expect(encodeIndexHeader(header)).toEqual(readGolden("store/index-header.hex"));
    expect(decodeIndexHeader(readGolden("store/index-header.hex"))).toEqual(header);
  });

  it("encodes and decodes an item", () => {
    expect(encodeIndexItem(item)).toEqual(readGolden("store/index-item.hex"));
    expect(decodeIndexItem(readGolden("store/index-item.hex"))).toEqual(item);
  });

  it("raises STORE_CORRUPT on short or out-of-range input", () => {
    expect(
      isStratusError(
        errorOf(() => decodeIndexHeader(Buffer.alloc(39))),
        "STORE_CORRUPT",
      ),
    ).toBe(true);
    expect(
      isStratusError(
        errorOf(() => decodeIndexHeader(Buffer.alloc(40, 0xff).fill(0x7f, 0, 1))),
        "STORE_CORRUPT",
      ),
    ).toBe(true);
    expect(
      isStratusError(
        errorOf(() => decodeIndexItem(Buffer.alloc(20), 1)),
        "STORE_CORRUPT",
      ),
    ).toBe(true);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (bytes) => {
        for (const f of [
          () => decodeIndexHeader(Buffer.from(bytes)),
          () => decodeIndexItem(Buffer.from(bytes)),
        ]) {
          const e = errorOf(f);
          if (e !== undefined) expect(isStratusError(e, "STORE_CORRUPT"), String(e)).toBe(true);
        }
      }),
    );
  });

  it("hashes keys like Apache: abs(hashCode), MIN_VALUE to 0", () => {
    expect(indexKeyHash("polygenelubricants")).toBe(0);
    expect(indexKeyHash("T#k1")).toBe(0x0026bfb5);
  });

  describe("a whole file", () => {
    let t: ReturnType<typeof tempDir> | undefined;
    afterEach(() => t?.cleanup());

    it("writes the tiny fixture byte for byte, chaining colliding keys", () => {
      t = tempDir();
      const f = IndexFile.create(t.dir, "20240101000000000", 4, 4);
      expect(f.putKey(indexKeyHash("T#k1"), 0x100, B)).toBe(true);
      expect(f.putKey(indexKeyHash("T#k5"), 0x200, B + 2500)).toBe(true);
      expect(f.putKey(indexKeyHash("T#k2"), 0x300, B + 5000)).toBe(true);
      expect(f.putKey(indexKeyHash("T#k3"), 0x400, B + 6000)).toBe(false);
      f.seal();
      f.close();
      expect(readFileSync(join(t.dir, "20240101000000000"))).toEqual(readGolden("store/index-file-tiny.hex"));
    });

    it("answers lookups from the fixture, newest first, within the time range", () => {
      t = tempDir();
      const golden = readGolden("store/index-file-tiny.hex");
      const name = "20240101000000001";
      writeFileSync(join(t.dir, name), golden);
      const f = IndexFile.open(t.dir, name, 4, 4, golden.length);
      const find = (key: string, begin = 0, end = Number.MAX_SAFE_INTEGER) => {
        const out: number[] = [];
        f.selectPhyOffsets(indexKeyHash(key), 10, begin, end, out);
        return out;
      };
      expect(find("T#k1")).toEqual([0x100]);
      expect(find("T#k5")).toEqual([0x200]);
      expect(find("T#k2")).toEqual([0x300]);
      expect(find("T#k9")).toEqual([]);
      expect(find("T#k5", B + 3000)).toEqual([]);
      f.close();
    });
  });
});

describe("checkpoint golden fixture", () => {
  const cp = {
    physicMsgTimestamp: 0x0000018bcfe56801,
    logicsMsgTimestamp: 0x0000018bcfe56702,
    indexMsgTimestamp: 0x0000018bcfe56603,
    masterFlushedOffset: 0xabcdef,
    confirmPhyOffset: 0xfedcba,
  };

  it("encodes a 4 KiB page starting with the fixture", () => {
    const page = encodeCheckpoint(cp);
    expect(page.length).toBe(4096);
    expect(page.subarray(0, 40)).toEqual(readGolden("store/checkpoint.hex"));
    expect(page.subarray(40).every((b) => b === 0)).toBe(true);
  });

  it("decodes the fixture, and reads short or garbled pages as empty", () => {
    expect(decodeCheckpoint(readGolden("store/checkpoint.hex"))).toEqual(cp);
    expect(decodeCheckpoint(Buffer.alloc(10)).physicMsgTimestamp).toBe(0);
    expect(decodeCheckpoint(Buffer.alloc(40, 0x7f)).physicMsgTimestamp).toBe(0);
  });

  const fields = [
    "physicMsgTimestamp",
    "logicsMsgTimestamp",
    "indexMsgTimestamp",
    "masterFlushedOffset",
    "confirmPhyOffset",
  ] as const;

  it("round-trips any checkpoint of safe longs (property)", () => {
    const long = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(fc.tuple(long, long, long, long, long), (longs) => {
        const c = Object.fromEntries(fields.map((f, i) => [f, longs[i]])) as unknown as StoreCheckpointData;
        expect(decodeCheckpoint(encodeCheckpoint(c))).toEqual(c);
      }),
    );
  });

  it("never throws on random bytes: reads the five longs, or zeros when the page is short or one is beyond 2^53 (property)", () => {
    const arbPage = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      // Mostly safe longs, so that pages which decode are common too.
      fc
        .array(
          fc.oneof(
            { weight: 6, arbitrary: fc.bigInt({ min: -(2n ** 53n) + 1n, max: 2n ** 53n - 1n }) },
            { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) },
          ),
          { minLength: 5, maxLength: 5 },
        )
        .map((vs) => {
          const b = Buffer.alloc(40);
          for (const [i, v] of vs.entries()) b.writeBigInt64BE(v, i * 8);
          return new Uint8Array(b);
        }),
    );
    fc.assert(
      fc.property(arbPage, (bytes) => {
        const buf = Buffer.from(bytes);
        const longs = buf.length < 40 ? [] : fields.map((_, i) => buf.readBigInt64BE(i * 8));
        const safe =
          longs.length === 5 &&
          longs.every((v) => v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER));
        const expected = Object.fromEntries(fields.map((f, i) => [f, safe ? Number(longs[i]) : 0]));
        expect(decodeCheckpoint(buf)).toEqual(expected);
      }),
    );
  });
});
