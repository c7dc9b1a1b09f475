import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import {
  createOffsetMessageId,
  decodeOffsetMessageId,
  decodeSocketAddress,
  encodeSocketAddress,
} from "../../lib/protocol/message-id.js";

describe("socket addresses", () => {
  it("encodes IPv4 as 4 address bytes and an int port", () => {
    expect(encodeSocketAddress("127.0.0.1:10091").toString("hex")).toBe("7f0000010000276b");
  });

  it("encodes IPv6, bracketed or not, compressed or not, as 16 bytes and an int port", () => {
    const want = "00000000000000000000000000000001000029d3";
    expect(encodeSocketAddress("[::1]:10707").toString("hex")).toBe(want);
    expect(encodeSocketAddress("::1:10707").toString("hex")).toBe(want);
    expect(encodeSocketAddress("0:0:0:0:0:0:0:1:10707").toString("hex")).toBe(want);
    expect(encodeSocketAddress("[::ffff:10.1.2.3]:1").toString("hex")).toBe(
      "00000000000000000000ffff0a01020300000001",
    );
  });

  it("decodes to Java's text form", () => {
    expect(decodeSocketAddress(Buffer.from("c0a801140000c822", "hex"))).toBe("192.168.1.20:51234");
    expect(decodeSocketAddress(Buffer.from("20010db8000000000000000000000001000029d3", "hex"))).toBe(
      "2001:db8:0:0:0:0:0:1:10707",
    );
  });

  it("rejects malformed text with ILLEGAL_ARGUMENT", () => {
    for (const bad of [
      "",
      "1.2.3.4",
      "1.2.3.4:",
      "1.2.3.4:65536",
      "1.2.3:80",
      "256.1.1.1:80",
      "1.2.3.4.5:80",
      "a.b.c.d:80",
      "1::2::3:80",
      "1:2:3:4:5:6:7:8:9:80",
      "1:2:3:80",
      "::fffff:80",
      "::1.2.3:80",
      ":80",
    ]) {
      let err: unknown;
      try {
        encodeSocketAddress(bad);
      } catch (e) {
        err = e;
      }
      expect(isStratusError(err, "ILLEGAL_ARGUMENT"), bad).toBe(true);
    }
  });

  it("rejects byte strings that are not 8 or 20 long", () => {
    for (const n of [0, 4, 7, 9, 16, 19, 21]) {
      expect(() => decodeSocketAddress(Buffer.alloc(n))).toThrow(/socket address/);
    }
  });

  it("round-trips any IPv4 or IPv6 address", () => {
    const v4 = fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 65535 }));
    const v6 = fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 65535 }));
    fc.assert(
      fc.property(fc.oneof(v4, v6), ([addr, port]) => {
        const buf = Buffer.alloc(addr.length + 4);
        Buffer.from(addr).copy(buf);
        buf.writeInt32BE(port, addr.length);
        expect(encodeSocketAddress(decodeSocketAddress(buf))).toEqual(buf);
      }),
    );
  });
});

describe("offset message ids", () => {
  it("matches the documented example", () => {
    expect(createOffsetMessageId(encodeSocketAddress("127.0.0.1:10091"), 1024)).toBe(
      "7F0000010000276B0000000000000400",
    );
  });

  it("decodes the documented example", () => {
    expect(decodeOffsetMessageId("7F0000010000276B0000000000000400")).toEqual({
      address: "127.0.0.1:10091",
      offset: 1024,
    });
  });

  it("handles offsets above 2^32", () => {
    const id = createOffsetMessageId(encodeSocketAddress("10.0.0.1:10911"), 2 ** 40 + 7);
    expect(id.endsWith("0000010000000007")).toBe(true);
    expect(decodeOffsetMessageId(id)?.offset).toBe(2 ** 40 + 7);
  });

  it("answers undefined for strings that are not offset ids", () => {
    for (const bad of ["", "XYZ", "7F0000010000276B000000000000040", "7F0000010000276B000000000000040G"]) {
      expect(decodeOffsetMessageId(bad)).toBeUndefined();
    }
    expect(decodeOffsetMessageId("7F0000010000276BFFFFFFFFFFFFFFFF")).toBeUndefined();
  });

  it("rejects negative or unsafe offsets and odd host lengths", () => {
    const host = encodeSocketAddress("1.2.3.4:5");
    expect(() => createOffsetMessageId(host, -1)).toThrow(/offset/);
    expect(() => createOffsetMessageId(host, 2 ** 53)).toThrow(/offset/);
    expect(() => createOffsetMessageId(Buffer.alloc(9), 0)).toThrow(/storeHost/);
  });

  it("round-trips any host and safe offset", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 8, maxLength: 8 }),
          fc.uint8Array({ minLength: 20, maxLength: 20 }),
        ),
        fc.maxSafeNat(),
        (host, offset) => {
          const id = createOffsetMessageId(Buffer.from(host), offset);
          expect(id).toMatch(/^[0-9A-F]+$/);
          const back = decodeOffsetMessageId(id);
          expect(back?.offset).toBe(offset);
          expect(back?.address).toBe(decodeSocketAddress(Buffer.from(host)));
        },
      ),
    );
  });

  it("never throws on arbitrary strings", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ minLength: 32, maxLength: 32, unit: fc.constantFrom(..."0123456789ABCDEFabcdefg") }),
          fc.string({ minLength: 56, maxLength: 56, unit: fc.constantFrom(..."0123456789ABCDEF") }),
        ),
        (s) => {
          const r = decodeOffsetMessageId(s);
          if (r) expect(Number.isSafeInteger(r.offset)).toBe(true);
        },
      ),
    );
  });
});
