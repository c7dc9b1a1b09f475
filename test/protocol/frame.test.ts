import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import { MAX_FRAME_BYTES } from "../../lib/common/limits.js";
import { decodeFrame, encodeFrame, encodeFrameHead } from "../../lib/protocol/frame.js";
import type { RemotingCommand } from "../../lib/protocol/remoting-command.js";
import { arbitraryCommand } from "../golden/frames/arbitrary-command.js";
import { GOLDEN_FRAMES } from "../golden/frames/expected.js";
import { readHexFixture } from "../golden/frames/read-hex.js";

describe("golden frames", () => {
  for (const [name, expected] of Object.entries(GOLDEN_FRAMES)) {
    it(`decodes ${name}.hex into its fields`, () => {
      expect(decodeFrame(readHexFixture(name))).toEqual(expected);
    });

    it(`encodes ${name} into exactly the bytes of ${name}.hex`, () => {
      expect(encodeFrame(expected).toString("hex")).toBe(readHexFixture(name).toString("hex"));
    });
  }

  it("rebuilds the Java SEND_MESSAGE_V2 frame with totalLength 369 and headerLength 365", () => {
    const frame = readHexFixture("java-send-v2-json");
    expect(frame.readInt32BE(0)).toBe(369);
    expect(frame.readInt32BE(4)).toBe(365);
    expect(frame.length).toBe(373);
  });
});

describe("encodeFrame", () => {
  it("writes the serialize type into the high byte of the header-length int", () => {
    const binary = encodeFrame(GOLDEN_FRAMES["rocketmq-request"] as RemotingCommand);
    expect(binary[4]).toBe(1);
    const json = encodeFrame(GOLDEN_FRAMES["json-request"] as RemotingCommand);
    expect(json[4]).toBe(0);
  });

  it("produces the same bytes as encodeFrameHead followed by the body", () => {
    const cmd = GOLDEN_FRAMES["json-response"] as RemotingCommand;
    const joined = Buffer.concat([encodeFrameHead(cmd), cmd.body as Buffer]);
    expect(joined.equals(encodeFrame(cmd))).toBe(true);
  });

  it("encodes a body given as pieces to the same bytes as the joined body", () => {
    const cmd = GOLDEN_FRAMES["json-response"] as RemotingCommand;
    const body = cmd.body as Buffer;
    const cut = Math.floor(body.length / 2);
    const parts: RemotingCommand = {
      ...cmd,
      body: undefined,
      bodyParts: [body.subarray(0, cut), Buffer.alloc(0), body.subarray(cut)],
    };
    expect(encodeFrame(parts).equals(encodeFrame(cmd))).toBe(true);
    expect(encodeFrameHead(parts).equals(encodeFrameHead(cmd))).toBe(true);
  });

  it("refuses a frame larger than the frame limit with FRAME_TOO_LARGE", () => {
    const cmd: RemotingCommand = {
      ...(GOLDEN_FRAMES["json-request"] as RemotingCommand),
      body: Buffer.alloc(100),
    };
    expect(() => encodeFrame(cmd, 100)).toThrow(expect.objectContaining({ code: "FRAME_TOO_LARGE" }));
    const exact = encodeFrame(cmd).length;
    expect(encodeFrame(cmd, exact).length).toBe(exact);
  });

  it("refuses a code that does not fit the binary header's int16 with ILLEGAL_ARGUMENT", () => {
    const cmd: RemotingCommand = { ...(GOLDEN_FRAMES["rocketmq-request"] as RemotingCommand), code: 200050 };
    expect(() => encodeFrame(cmd)).toThrow(expect.objectContaining({ code: "ILLEGAL_ARGUMENT" }));
  });

  it("refuses an unknown serializeType", () => {
    const cmd = { ...(GOLDEN_FRAMES["json-request"] as RemotingCommand), serializeType: 7 } as unknown;
    expect(() => encodeFrame(cmd as RemotingCommand)).toThrow(
      expect.objectContaining({ code: "ILLEGAL_ARGUMENT" }),
    );
  });
});

describe("decodeFrame", () => {
  it("round-trips arbitrary commands in both serializations", () => {
    fc.assert(
      fc.property(fc.oneof(arbitraryCommand(0), arbitraryCommand(1)), (cmd) => {
        expect(decodeFrame(encodeFrame(cmd))).toEqual(cmd);
      }),
    );
  });

  it("rejects every truncation of a valid frame with FRAME_MALFORMED", () => {
    for (const name of Object.keys(GOLDEN_FRAMES)) {
      const frame = readHexFixture(name);
      for (let cut = 0; cut < frame.length; cut++) {
        expect(() => decodeFrame(frame.subarray(0, cut))).toThrow(
          expect.objectContaining({ code: "FRAME_MALFORMED" }),
        );
      }
    }
  });

  it("rejects trailing bytes after the frame with FRAME_MALFORMED", () => {
    const frame = Buffer.concat([readHexFixture("json-request"), Buffer.from([0])]);
    expect(() => decodeFrame(frame)).toThrow(expect.objectContaining({ code: "FRAME_MALFORMED" }));
  });

  it("rejects a negative totalLength with FRAME_MALFORMED", () => {
    const frame = readHexFixture("json-request");
    frame.writeInt32BE(-1, 0);
    expect(() => decodeFrame(frame)).toThrow(expect.objectContaining({ code: "FRAME_MALFORMED" }));
  });

  it("rejects a totalLength beyond the limit with FRAME_TOO_LARGE", () => {
    const frame = Buffer.alloc(16);
    frame.writeInt32BE(MAX_FRAME_BYTES, 0);
    expect(() => decodeFrame(frame)).toThrow(expect.objectContaining({ code: "FRAME_TOO_LARGE" }));
  });

  it("rejects a header length larger than the frame with FRAME_MALFORMED", () => {
    const frame = readHexFixture("rocketmq-response");
    frame.writeInt32BE((1 << 24) | (frame.length - 7), 4);
    expect(() => decodeFrame(frame)).toThrow(expect.objectContaining({ code: "FRAME_MALFORMED" }));
  });

  it("rejects an unknown serialize type with HEADER_MALFORMED", () => {
    const frame = readHexFixture("json-request");
    frame[4] = 2;
    expect(() => decodeFrame(frame)).toThrow(expect.objectContaining({ code: "HEADER_MALFORMED" }));
  });

  it("reads a response's body as the bytes after the header", () => {
    const cmd = decodeFrame(readHexFixture("rocketmq-response"));
    expect(cmd.body?.toString("hex")).toBe("5aa5");
  });

  it("decodes or raises StratusError for any single-byte corruption of a golden frame", () => {
    for (const name of Object.keys(GOLDEN_FRAMES)) {
      const original = readHexFixture(name);
      for (let i = 0; i < original.length; i++) {
        for (const value of [0x00, 0x7f, 0x80, 0xff]) {
          const frame = Buffer.from(original);
          frame[i] = value;
          try {
            decodeFrame(frame);
          } catch (e) {
            if (!isStratusError(e)) throw e;
          }
        }
      }
    }
  });

  it("decodes or raises StratusError for random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        try {
          decodeFrame(Buffer.from(bytes));
        } catch (e) {
          if (!isStratusError(e)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("decodes or raises StratusError for random headers behind a consistent frame prefix", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 1 }), (header, type) => {
        const frame = Buffer.alloc(8 + header.length);
        frame.writeInt32BE(4 + header.length, 0);
        frame.writeInt32BE((type << 24) | header.length, 4);
        frame.set(header, 8);
        try {
          decodeFrame(frame);
        } catch (e) {
          if (!isStratusError(e)) throw e;
          expect(["HEADER_MALFORMED", "FRAME_MALFORMED"]).toContain(e.code);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
