import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import { MAX_BATCH_BYTES, MAX_BATCH_MESSAGES } from "../../lib/common/limits.js";
import {
  BATCH_MIN_RECORD_BYTES,
  type BatchMessage,
  decodeBatchBody,
  encodeBatchBody,
} from "../../lib/protocol/message-batch.js";
import { readGolden } from "../golden/message/golden-hex.js";
import { errorOf } from "../support/error-of.js";

const GOLDEN: BatchMessage[] = [
  {
    flag: 0x01020304,
    body: Buffer.from("first"),
    propertiesString: "UNIQ_KEY\u0001AAAA\u0002TAGS\u0001TagA\u0002",
  },
  { flag: 0x0a0b0c0d, body: Buffer.alloc(0), propertiesString: "" },
  { flag: 0x11121314, body: Buffer.from([0, 0xff, 0x7f]), propertiesString: "KEYS\u0001kx\u0002" },
];

describe("batch body golden fixture", () => {
  it("decodes message by message", () => {
    expect(decodeBatchBody(readGolden("message/batch-body.hex"))).toEqual(GOLDEN);
  });

  it("encodes byte for byte", () => {
    expect(encodeBatchBody(GOLDEN).toString("hex")).toBe(
      readGolden("message/batch-body.hex").toString("hex"),
    );
  });
});

describe("decodeBatchBody", () => {
  it("decodes an empty body to no messages", () => {
    expect(decodeBatchBody(Buffer.alloc(0))).toEqual([]);
  });

  it("rejects a body over MAX_BATCH_BYTES before reading it", () => {
    const e = errorOf(() => decodeBatchBody(Buffer.alloc(MAX_BATCH_BYTES + 1)));
    expect(isStratusError(e, "LIMIT_EXCEEDED")).toBe(true);
  });

  it("holds up to MAX_BATCH_MESSAGES of the smallest messages and refuses one more", () => {
    const one = encodeBatchBody([{ flag: 0, body: Buffer.alloc(0), propertiesString: "" }]);
    expect(one.length).toBe(BATCH_MIN_RECORD_BYTES);
    const body = Buffer.concat(new Array(MAX_BATCH_MESSAGES + 1).fill(one));
    expect(decodeBatchBody(body.subarray(0, one.length * MAX_BATCH_MESSAGES))).toHaveLength(
      MAX_BATCH_MESSAGES,
    );
    expect(
      isStratusError(
        errorOf(() => decodeBatchBody(body)),
        "LIMIT_EXCEEDED",
      ),
    ).toBe(true);
  });

  it("rejects every truncation of the golden body", () => {
    const good = readGolden("message/batch-body.hex");
    const boundaries = new Set([0, 0x33, 0x33 + 0x16]);
    for (let n = 1; n < good.length; n++) {
      if (boundaries.has(n)) continue;
      expect(
        isStratusError(
          errorOf(() => decodeBatchBody(good.subarray(0, n))),
          "RECORD_MALFORMED",
        ),
        `n=${n}`,
      ).toBe(true);
    }
  });

  it("rejects sizes that disagree with the fields", () => {
    const good = encodeBatchBody([GOLDEN[0] as BatchMessage]);
    for (const [pos, v] of [
      [0, 5],
      [0, good.length + 1],
      [16, -1],
      [16, 1000],
    ] as const) {
      const b = Buffer.from(good);
      b.writeInt32BE(v, pos);
      expect(
        isStratusError(
          errorOf(() => decodeBatchBody(b)),
          "RECORD_MALFORMED",
        ),
      ).toBe(true);
    }
  });

  it("round-trips any batch", () => {
    const msg = fc.record({
      flag: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      body: fc.uint8Array({ maxLength: 100 }).map((a) => Buffer.from(a)),
      propertiesString: fc.string({ maxLength: 50 }),
    });
    fc.assert(
      fc.property(fc.array(msg, { maxLength: 20 }), (msgs) => {
        expect(decodeBatchBody(encodeBatchBody(msgs))).toEqual(msgs);
      }),
    );
  });

  it("raises only StratusError on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const e = errorOf(() => decodeBatchBody(Buffer.from(bytes)));
        if (e !== undefined) expect(isStratusError(e, "RECORD_MALFORMED"), String(e)).toBe(true);
      }),
    );
  });
});
