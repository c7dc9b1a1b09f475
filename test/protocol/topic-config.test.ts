import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import { parseFastjson } from "../../lib/protocol/fastjson.js";
import {
  decodeTopicConfig,
  decodeTopicConfigJson,
  decodeTopicConfigText,
  encodeTopicConfigJson,
  encodeTopicConfigText,
  type TopicConfig,
} from "../../lib/protocol/topic-config.js";
import { readBodyFixture } from "../golden/namesrv/read-golden.js";

const golden: TopicConfig = {
  topicName: "TopicGolden",
  readQueueNums: 3,
  writeQueueNums: 5,
  perm: 7,
  topicFilterType: "MULTI_TAG",
  topicSysFlag: 2,
  order: true,
  attributes: { "+message.type": "FIFO" },
};

const arbTopicConfig: fc.Arbitrary<TopicConfig> = fc.record({
  topicName: fc.stringMatching(/^[%|a-zA-Z0-9_-]{1,40}$/),
  readQueueNums: fc.integer({ min: 0, max: 1024 }),
  writeQueueNums: fc.integer({ min: 0, max: 1024 }),
  perm: fc.integer({ min: 0, max: 7 }),
  topicFilterType: fc.constantFrom("SINGLE_TAG" as const, "MULTI_TAG" as const),
  topicSysFlag: fc.integer({ min: 0, max: 3 }),
  order: fc.boolean(),
  attributes: fc.dictionary(fc.stringMatching(/^[+a-z.]{1,10}$/), fc.string({ maxLength: 10 }), {
    maxKeys: 3,
  }),
});

describe("TopicConfig JSON", () => {
  it("encodes the golden bean byte for byte", () => {
    expect(encodeTopicConfigJson(golden)).toBe(readBodyFixture("topic-config"));
  });

  it("decodes the golden bean", () => {
    expect(decodeTopicConfigJson(readBodyFixture("topic-config"))).toEqual(golden);
  });

  it("applies Java's defaults to a 4.9-style bean without attributes and missing fields", () => {
    expect(decodeTopicConfig(parseFastjson('{"topicName":"T"}', "t"), "t")).toEqual({
      topicName: "T",
      readQueueNums: 16,
      writeQueueNums: 16,
      perm: 6,
      topicFilterType: "SINGLE_TAG",
      topicSysFlag: 0,
      order: false,
      attributes: {},
    });
  });

  it("takes the table key when topicName is missing", () => {
    expect(decodeTopicConfig({}, "t", "FromKey").topicName).toBe("FromKey");
  });

  it("rejects wrong types and unknown filter types with StratusError", () => {
    for (const bad of [
      '{"topicName":"T","perm":"rw"}',
      '{"topicName":"T","topicFilterType":"X"}',
      "[]",
      "{}",
    ]) {
      expect(() => decodeTopicConfigJson(bad)).toThrowError(
        expect.objectContaining({ code: "ILLEGAL_ARGUMENT" }),
      );
    }
  });

  it("round-trips any config", () => {
    fc.assert(
      fc.property(arbTopicConfig, (tc) => {
        expect(decodeTopicConfigJson(encodeTopicConfigJson(tc))).toEqual(tc);
      }),
    );
  });
});

describe("TopicConfig text form", () => {
  it("encodes and decodes the golden line", () => {
    const line = readBodyFixture("topic-config-text");
    expect(encodeTopicConfigText(golden)).toBe(line);
    expect(decodeTopicConfigText(line)).toEqual({ ...golden, topicSysFlag: 0, order: false });
  });

  it("reads the 4.9.x form without attributes and ignores attributes that do not parse", () => {
    expect(decodeTopicConfigText("T 4 4 6 SINGLE_TAG").attributes).toEqual({});
    expect(decodeTopicConfigText('T 4 4 6 SINGLE_TAG {"a":"x y"}').attributes).toEqual({});
  });

  it("rejects short or non-numeric lines with StratusError", () => {
    for (const bad of ["T 4 4 6", "T x 4 6 SINGLE_TAG", "T 4 4 6 OTHER", "T 99999999999 4 6 SINGLE_TAG"]) {
      expect(() => decodeTopicConfigText(bad)).toThrowError(
        expect.objectContaining({ code: "ILLEGAL_ARGUMENT" }),
      );
    }
  });

  it("never throws anything but StratusError on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        try {
          decodeTopicConfigText(s);
        } catch (e) {
          expect(isStratusError(e, "ILLEGAL_ARGUMENT"), String(e)).toBe(true);
        }
      }),
    );
  });
});
