import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import { decodeFrame, encodeFrame, FrameDecoder } from "../../lib/protocol/frame.js";
import type { RemotingCommand } from "../../lib/protocol/remoting-command.js";
import { arbitraryCommand } from "../golden/frames/arbitrary-command.js";
import { GOLDEN_FRAMES } from "../golden/frames/expected.js";
import { readHexFixture } from "../golden/frames/read-hex.js";

const NAMES = Object.keys(GOLDEN_FRAMES);
const ALL_GOLDEN = Buffer.concat(NAMES.map(readHexFixture));
const ALL_EXPECTED = NAMES.map((n) => GOLDEN_FRAMES[n] as RemotingCommand);

function pushPieces(decoder: FrameDecoder, stream: Buffer, cuts: number[]): RemotingCommand[] {
  const out: RemotingCommand[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out.push(...decoder.push(stream.subarray(from, cut)));
    from = cut;
  }
  out.push(...decoder.push(stream.subarray(from)));
  return out;
}

function expectStratusOrDecoded(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    if (!isStratusError(e)) throw e;
  }
}

describe("FrameDecoder", () => {
  it("decodes every golden frame fed one byte at a time", () => {
    const decoder = new FrameDecoder();
    const out: RemotingCommand[] = [];
    for (let i = 0; i < ALL_GOLDEN.length; i++) out.push(...decoder.push(ALL_GOLDEN.subarray(i, i + 1)));
    expect(out).toEqual(ALL_EXPECTED);
    expect(decoder.bufferedBytes()).toBe(0);
  });

  it("decodes several frames delivered in one chunk", () => {
    expect(new FrameDecoder().push(ALL_GOLDEN)).toEqual(ALL_EXPECTED);
  });

  it("decodes the golden stream whatever the split points", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: ALL_GOLDEN.length }), { maxLength: 40 }), (cuts) => {
        expect(pushPieces(new FrameDecoder(), ALL_GOLDEN, cuts)).toEqual(ALL_EXPECTED);
      }),
    );
  });

  it("decodes arbitrary command streams split at arbitrary points", () => {
    const commands = fc.array(fc.oneof(arbitraryCommand(0), arbitraryCommand(1)), {
      minLength: 1,
      maxLength: 6,
    });
    fc.assert(
      fc.property(commands, fc.array(fc.nat(), { maxLength: 20 }), (cmds, rawCuts) => {
        const stream = Buffer.concat(cmds.map((c) => encodeFrame(c)));
        const cuts = rawCuts.map((c) => c % (stream.length + 1));
        expect(pushPieces(new FrameDecoder(), stream, cuts)).toEqual(cmds);
      }),
    );
  });

  it("keeps an incomplete frame until the rest arrives", () => {
    const frame = readHexFixture("json-response");
    const decoder = new FrameDecoder();
    expect(decoder.push(frame.subarray(0, 100))).toEqual([]);
    expect(decoder.bufferedBytes()).toBe(100);
    expect(decoder.push(frame.subarray(100))).toEqual([GOLDEN_FRAMES["json-response"]]);
  });

  it("accepts empty chunks", () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(Buffer.alloc(0))).toEqual([]);
    decoder.push(ALL_GOLDEN.subarray(0, 2));
    expect(decoder.push(Buffer.alloc(0))).toEqual([]);
    expect(decoder.push(ALL_GOLDEN.subarray(2))).toEqual(ALL_EXPECTED);
  });

  it("rejects an oversized length as soon as the 4 length bytes arrive, before the frame does", () => {
    const decoder = new FrameDecoder(1024);
    expect(decoder.push(Buffer.from([0x00, 0x00]))).toEqual([]);
    expect(() => decoder.push(Buffer.from([0x04, 0x00]))).toThrow(
      expect.objectContaining({ code: "FRAME_TOO_LARGE" }),
    );
  });

  it("rejects 0x7fffffff as a length with FRAME_TOO_LARGE without allocating it", () => {
    const decoder = new FrameDecoder();
    expect(() => decoder.push(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]))).toThrow(
      expect.objectContaining({ code: "FRAME_TOO_LARGE" }),
    );
  });

  it("accepts a frame of exactly maxFrameBytes and rejects one byte more", () => {
    const cmd: RemotingCommand = {
      ...(GOLDEN_FRAMES["json-request"] as RemotingCommand),
      body: Buffer.alloc(50),
    };
    const frame = encodeFrame(cmd);
    expect(new FrameDecoder(frame.length).push(frame)).toHaveLength(1);
    expect(() => new FrameDecoder(frame.length - 1).push(frame)).toThrow(
      expect.objectContaining({ code: "FRAME_TOO_LARGE" }),
    );
  });

  it("rejects negative and too-small lengths with FRAME_MALFORMED", () => {
    for (const length of [-1, -0x80000000, 0, 3]) {
      const head = Buffer.alloc(8);
      head.writeInt32BE(length, 0);
      expect(() => new FrameDecoder().push(head)).toThrow(
        expect.objectContaining({ code: "FRAME_MALFORMED" }),
      );
    }
  });

  it("rejects a header length larger than the frame with FRAME_MALFORMED", () => {
    const frame = readHexFixture("json-request");
    frame.writeInt32BE(frame.length, 4);
    expect(() => new FrameDecoder().push(frame)).toThrow(
      expect.objectContaining({ code: "FRAME_MALFORMED" }),
    );
  });

  it("keeps failing after a failure instead of resynchronising on garbage", () => {
    const decoder = new FrameDecoder();
    expect(() => decoder.push(Buffer.from("GET / HTTP/1.1\r\n\r\n"))).toThrow();
    expect(() => decoder.push(readHexFixture("json-request"))).toThrow(
      expect.objectContaining({ code: "FRAME_TOO_LARGE" }),
    );
  });

  it("decodes or raises StratusError for random byte streams at random split points", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (bytes, rawCuts) => {
          const stream = Buffer.from(bytes);
          const cuts = rawCuts.map((c) => c % (stream.length + 1));
          expectStratusOrDecoded(() => pushPieces(new FrameDecoder(64 * 1024), stream, cuts));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("decodes or raises StratusError when random bytes follow valid frames", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(), (garbage, cut) => {
        const stream = Buffer.concat([ALL_GOLDEN, Buffer.from(garbage)]);
        expectStratusOrDecoded(() => pushPieces(new FrameDecoder(), stream, [cut % (stream.length + 1)]));
      }),
    );
  });

  it("matches decodeFrame for every golden frame", () => {
    for (const name of NAMES) {
      const frame = readHexFixture(name);
      expect(new FrameDecoder().push(frame)).toEqual([decodeFrame(frame)]);
    }
  });
});
