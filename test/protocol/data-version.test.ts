import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import {
  type DataVersion,
  dataVersionEquals,
  decodeDataVersion,
  encodeDataVersion,
  nextDataVersion,
} from "../../lib/protocol/data-version.js";
import { readBodyFixture } from "../golden/namesrv/read-golden.js";

const golden: DataVersion = { counter: 42, stateVersion: 3, timestamp: 1700000000123 };

describe("DataVersion", () => {
  it("encodes and decodes the golden body", () => {
    const body = readBodyFixture("data-version");
    expect(encodeDataVersion(golden).toString("utf8")).toBe(body);
    expect(decodeDataVersion(Buffer.from(body))).toEqual(golden);
  });

  it("reads a 4.9.x version without stateVersion as 0", () => {
    expect(decodeDataVersion(Buffer.from('{"counter":1,"timestamp":2}'))).toEqual({
      counter: 1,
      timestamp: 2,
      stateVersion: 0,
    });
  });

  it("compares counter and timestamp like Java's equals", () => {
    expect(dataVersionEquals(golden, { ...golden, stateVersion: 9 })).toBe(true);
    expect(dataVersionEquals(golden, { ...golden, counter: 43 })).toBe(false);
    expect(dataVersionEquals(golden, { ...golden, timestamp: 1 })).toBe(false);
  });

  it("bumps the counter and stamps the time", () => {
    expect(nextDataVersion(golden, 5)).toEqual({ counter: 43, stateVersion: 3, timestamp: 5 });
  });

  it("rejects malformed bodies with StratusError", () => {
    for (const bad of ["", "[]", '{"counter":"x"}', '{"counter":1e300}', '{"timestamp":']) {
      expect(() => decodeDataVersion(Buffer.from(bad))).toThrowError(
        expect.objectContaining({ code: "ILLEGAL_ARGUMENT" }),
      );
    }
  });

  it("round-trips any version", () => {
    const long = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(fc.record({ counter: long, stateVersion: long, timestamp: long }), (v) => {
        expect(decodeDataVersion(encodeDataVersion(v))).toEqual(v);
      }),
    );
  });
});

describe("DataVersion hostile input", () => {
  it("never throws anything but StratusError on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        try {
          decodeDataVersion(Buffer.from(b));
        } catch (e) {
          expect(isStratusError(e, "ILLEGAL_ARGUMENT"), String(e)).toBe(true);
        }
      }),
    );
  });
});
