import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import { encodeSocketAddress } from "../../lib/protocol/message-id.js";
import {
  computeBodyCRC,
  decodeMessageRecord,
  decodeMessageRecords,
  encodeMessageRecord,
  MESSAGE_MAGIC_CODE_V1,
  MESSAGE_MAGIC_CODE_V2,
  type MessageExtBrokerInner,
  patchRecordOffsets,
  readRecordMagic,
  readRecordPhysicalOffset,
  readRecordQueueOffset,
  readRecordSize,
  readRecordStoreTimestamp,
} from "../../lib/protocol/message-record.js";
import { readGolden, readGoldenFields } from "../golden/message/golden-hex.js";

const UNIQ = "7F000001000000000000000000000001";
const PROPS = `TAGS\u0001TagA\u0002KEYS\u0001k1 k2\u0002UNIQ_KEY\u0001${UNIQ}\u0002`;

function goldenMessage(v6: boolean): MessageExtBrokerInner {
  return {
    topic: v6 ? `%RETRY%${"g".repeat(123)}` : "TopicTest",
    queueId: 0x01020304,
    flag: 0x05060708,
    body: Buffer.from("hello"),
    propertiesString: PROPS,
    tagsCode: 2598919,
    sysFlag: 0x0a,
    bornTimestamp: 0x019123456789,
    bornHost: encodeSocketAddress(v6 ? "[2001:db8::1]:51234" : "192.168.1.20:51234"),
    storeHost: encodeSocketAddress(v6 ? "[fe80::7]:10911" : "10.0.0.7:10911"),
    reconsumeTimes: 0x21222324,
    preparedTransactionOffset: 0x313233343536,
  };
}

function expectMalformed(f: () => unknown): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(isStratusError(err, "RECORD_MALFORMED"), String(err)).toBe(true);
}

describe("stored record golden fixtures", () => {
  for (const [file, v6] of [
    ["message/stored-record-v1-ipv4.hex", false],
    ["message/stored-record-v2-ipv6.hex", true],
  ] as const) {
    it(`encodes ${file} byte for byte`, () => {
      const out = encodeMessageRecord(goldenMessage(v6), 0x0a0b0c0d0e0f, 0x111213141516, 0x019123457000);
      expect(out.toString("hex")).toBe(readGolden(file).toString("hex"));
    });

    it(`decodes ${file} field by field`, () => {
      const buf = readGolden(file);
      const m = decodeMessageRecord(buf, 0, { checkCRC: true });
      const want = goldenMessage(v6);
      expect(m).toMatchObject({ ...want, sysFlag: v6 ? 0x3a : 0x0a });
      expect(m.queueOffset).toBe(0x0a0b0c0d0e0f);
      expect(m.commitLogOffset).toBe(0x111213141516);
      expect(m.storeTimestamp).toBe(0x019123457000);
      expect(m.storeSize).toBe(buf.length);
      expect(m.bodyCRC).toBe(computeBodyCRC(Buffer.from("hello")));
      expect(m.msgId).toBe(UNIQ);
      expect(m.offsetMsgId.endsWith("0000111213141516")).toBe(true);
      expect(m.properties.get("KEYS")).toBe("k1 k2");
      expect(readRecordMagic(buf)).toBe(v6 ? MESSAGE_MAGIC_CODE_V2 : MESSAGE_MAGIC_CODE_V1);
    });
  }

  it("puts IPv4 fields at the documented fixed positions", () => {
    const buf = readGolden("message/stored-record-v1-ipv4.hex");
    const fields = readGoldenFields("message/stored-record-v1-ipv4.hex");
    const at = (name: string) => {
      let pos = 0;
      for (const f of fields) {
        if (f.name === name) return pos;
        pos += f.bytes.length;
      }
      throw new Error(name);
    };
    expect([at("magicCode"), at("bodyCRC"), at("queueId"), at("flag"), at("queueOffset")]).toEqual([
      4, 8, 12, 16, 20,
    ]);
    expect([at("physicalOffset"), at("sysFlag"), at("bornTimestamp"), at("bornHost")]).toEqual([
      28, 36, 40, 48,
    ]);
    expect([
      at("storeTimestamp"),
      at("storeHost"),
      at("reconsumeTimes"),
      at("preparedTransactionOffset"),
    ]).toEqual([56, 64, 72, 76]);
    expect(at("bodyLength")).toBe(84);
    expect(buf.length).toBe(91 + 5 + 9 + Buffer.byteLength(PROPS));
    expect(readRecordSize(buf)).toBe(buf.length);
    expect(readRecordQueueOffset(buf)).toBe(0x0a0b0c0d0e0f);
    expect(readRecordPhysicalOffset(buf)).toBe(0x111213141516);
    expect(readRecordStoreTimestamp(buf)).toBe(0x019123457000);
    expect(readRecordStoreTimestamp(readGolden("message/stored-record-v2-ipv6.hex"))).toBe(0x019123457000);
  });
});

describe("encodeMessageRecord", () => {
  it("derives the V6 sysFlag bits from the host lengths", () => {
    const msg = { ...goldenMessage(false), sysFlag: 0x30 | 0x1 };
    expect(decodeMessageRecord(encodeMessageRecord(msg, 0, 0, 0)).sysFlag).toBe(0x1);
  });

  it("rejects values that do not fit their fields", () => {
    const m = goldenMessage(false);
    expect(() => encodeMessageRecord({ ...m, queueId: 2 ** 31 }, 0, 0, 0)).toThrow(/queueId/);
    expect(() => encodeMessageRecord({ ...m, bornHost: Buffer.alloc(9) }, 0, 0, 0)).toThrow(/bornHost/);
    expect(() => encodeMessageRecord(m, 0.5, 0, 0)).toThrow(/queueOffset/);
    expect(() => encodeMessageRecord({ ...m, topic: "" }, 0, 0, 0)).toThrow(/topic/);
    expect(() => encodeMessageRecord({ ...m, propertiesString: "x".repeat(32_768) }, 0, 0, 0)).toThrow(
      /properties/,
    );
  });

  it("patches offsets in place", () => {
    const buf = Buffer.concat([Buffer.alloc(3), encodeMessageRecord(goldenMessage(false), 1, 2, 3)]);
    patchRecordOffsets(buf, 3, 2 ** 40, 2 ** 45 + 1);
    const m = decodeMessageRecord(buf, 3, { checkCRC: true });
    expect([m.queueOffset, m.commitLogOffset]).toEqual([2 ** 40, 2 ** 45 + 1]);
  });

  it("decodes records back to back", () => {
    const a = encodeMessageRecord(goldenMessage(false), 0, 0, 1);
    const b = encodeMessageRecord(goldenMessage(true), 1, a.length, 2);
    const all = decodeMessageRecords(Buffer.concat([a, b]));
    expect(all.map((m) => m.commitLogOffset)).toEqual([0, a.length]);
  });
});

const host = fc.oneof(
  fc.uint8Array({ minLength: 8, maxLength: 8 }).map((a) => Buffer.from(a)),
  fc.uint8Array({ minLength: 20, maxLength: 20 }).map((a) => Buffer.from(a)),
);
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const long = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const messageArb = fc.record({
  topic: fc.string({ minLength: 1, maxLength: 200, unit: "grapheme" }),
  queueId: int32,
  flag: int32,
  body: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  propertiesString: fc.string({ maxLength: 200 }),
  tagsCode: fc.constant(0),
  sysFlag: fc.integer({ min: 0, max: 0x7cf }),
  bornTimestamp: long,
  bornHost: host,
  storeHost: host,
  reconsumeTimes: int32,
  preparedTransactionOffset: long,
});

describe("record round trip", () => {
  it("decodes every field it encodes", () => {
    fc.assert(
      fc.property(messageArb, fc.maxSafeNat(), fc.maxSafeNat(), long, (msg, qo, po, st) => {
        const buf = encodeMessageRecord(msg, qo, po, st);
        const m = decodeMessageRecord(buf, 0, { checkCRC: true });
        expect(m.topic).toBe(msg.topic);
        expect(m.body).toEqual(msg.body);
        expect(m.propertiesString).toBe(msg.propertiesString);
        expect([m.queueId, m.flag, m.reconsumeTimes]).toEqual([msg.queueId, msg.flag, msg.reconsumeTimes]);
        expect([m.bornTimestamp, m.preparedTransactionOffset]).toEqual([
          msg.bornTimestamp,
          msg.preparedTransactionOffset,
        ]);
        expect([m.queueOffset, m.commitLogOffset, m.storeTimestamp]).toEqual([qo, po, st]);
        expect(m.bornHost).toEqual(msg.bornHost);
        expect(m.storeHost).toEqual(msg.storeHost);
        expect(m.sysFlag & ~0x30).toBe(msg.sysFlag & ~0x30);
        expect(m.storeSize).toBe(buf.length);
        expect(readRecordMagic(buf)).toBe(
          Buffer.byteLength(msg.topic) > 127 ? MESSAGE_MAGIC_CODE_V2 : MESSAGE_MAGIC_CODE_V1,
        );
      }),
    );
  });
});

describe("hostile records", () => {
  const good = encodeMessageRecord(goldenMessage(false), 5, 6, 7);

  it("rejects every truncation", () => {
    for (let n = 0; n < good.length; n++) expectMalformed(() => decodeMessageRecord(good.subarray(0, n)));
  });

  it("rejects a bad magic, a bad CRC and a size that does not match the fields", () => {
    const badMagic = Buffer.from(good);
    badMagic.writeInt32BE(0x01020304, 4);
    expectMalformed(() => decodeMessageRecord(badMagic));
    const badCrc = Buffer.from(good);
    badCrc[88] = (badCrc[88] ?? 0) ^ 1;
    expectMalformed(() => decodeMessageRecord(badCrc, 0, { checkCRC: true }));
    expect(decodeMessageRecord(badCrc).body[0]).toBe("hello".charCodeAt(0) ^ 1);
    const longer = Buffer.concat([good, Buffer.alloc(4)]);
    longer.writeInt32BE(good.length + 4, 0);
    expectMalformed(() => decodeMessageRecord(longer));
  });

  it("rejects negative lengths and out-of-range offsets", () => {
    const negBody = Buffer.from(good);
    negBody.writeInt32BE(-1, 84);
    expectMalformed(() => decodeMessageRecord(negBody));
    const negTopic = Buffer.from(good);
    negTopic.writeInt8(-3, 84 + 4 + 5);
    expectMalformed(() => decodeMessageRecord(negTopic));
    const unsafe = Buffer.from(good);
    unsafe.writeInt32BE(0x7fffffff, 28);
    expectMalformed(() => decodeMessageRecord(unsafe));
    expectMalformed(() => decodeMessageRecord(good, -1));
    expectMalformed(() => decodeMessageRecord(good, good.length));
    expectMalformed(() => readRecordSize(good, good.length - 3));
    expectMalformed(() => readRecordStoreTimestamp(good, 1.5));
  });

  it("raises RECORD_MALFORMED, never anything else, on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(400), (bytes, at) => {
        const buf = Buffer.from(bytes);
        try {
          decodeMessageRecord(buf, at % (buf.length + 1));
        } catch (e) {
          expect(isStratusError(e, "RECORD_MALFORMED"), String(e)).toBe(true);
        }
      }),
    );
  });

  it("raises RECORD_MALFORMED on single-byte corruptions of a good record", () => {
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), (pos, x) => {
        const buf = Buffer.from(good);
        buf[pos] = (buf[pos] ?? 0) ^ x;
        try {
          decodeMessageRecord(buf, 0, { checkCRC: true });
        } catch (e) {
          expect(isStratusError(e, "RECORD_MALFORMED"), String(e)).toBe(true);
        }
      }),
    );
  });
});
