import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../../lib/common/errors.js";
import {
  decodeHeartbeatData,
  decodeSubscriptionData,
  encodeSubscriptionData,
  type HeartbeatData,
  MAX_SUBSCRIPTIONS_PER_CONSUMER,
  type SubscriptionData,
} from "../../../lib/protocol/body/heartbeat-data.js";
import type { Json } from "../../../lib/protocol/body/json-body.js";
import { errorOf } from "../../support/error-of.js";

const text = fc.string({ unit: "binary", maxLength: 16 });

const arbSubscription: fc.Arbitrary<SubscriptionData> = fc.record({
  topic: text,
  subString: text,
  tagsSet: fc.array(text, { maxLength: 4 }),
  codeSet: fc.array(fc.integer(), { maxLength: 4 }),
  subVersion: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  // An empty expressionType reads as TAG (an old client's default), so a round trip needs a non-empty one.
  expressionType: fc.oneof(fc.constantFrom("TAG", "SQL92"), fc.string({ minLength: 1, maxLength: 8 })),
  classFilterMode: fc.boolean(),
});

const arbHeartbeat: fc.Arbitrary<HeartbeatData> = fc.record({
  clientID: fc.string({ unit: "binary", minLength: 1, maxLength: 24 }),
  producerDataSet: fc.array(fc.record({ groupName: text }), { maxLength: 3 }),
  consumerDataSet: fc.array(
    fc.record({
      groupName: fc.string({ unit: "binary", minLength: 1, maxLength: 16 }),
      consumeType: fc.constantFrom("CONSUME_ACTIVELY", "CONSUME_PASSIVELY", "CONSUME_POP"),
      messageModel: fc.constantFrom("CLUSTERING", "BROADCASTING"),
      consumeFromWhere: fc.constantFrom("CONSUME_FROM_LAST_OFFSET", "CONSUME_FROM_FIRST_OFFSET"),
      unitMode: fc.boolean(),
      subscriptionDataSet: fc.array(arbSubscription, { maxLength: 3 }),
    }),
    { maxLength: 3 },
  ),
  heartbeatFingerprint: fc.integer(),
  withoutSub: fc.boolean(),
});

const body = (v: unknown) => Buffer.from(JSON.stringify(v));

function expectWellTypedSubscription(s: SubscriptionData): void {
  for (const v of [s.topic, s.subString, s.expressionType, ...s.tagsSet]) expect(typeof v).toBe("string");
  for (const v of [s.subVersion, ...s.codeSet]) expect(Number.isFinite(v), String(v)).toBe(true);
  expect(s.expressionType).not.toBe("");
  expect(typeof s.classFilterMode).toBe("boolean");
}

/** Decodes `buf`; a failure must be a StratusError, a success a well-typed HeartbeatData. */
function decodeOrStratusError(buf: Buffer): void {
  const e = errorOf(() => {
    const h = decodeHeartbeatData(buf);
    expect(h.clientID).not.toBe("");
    expect(Number.isFinite(h.heartbeatFingerprint)).toBe(true);
    for (const p of h.producerDataSet) expect(typeof p.groupName).toBe("string");
    for (const c of h.consumerDataSet) {
      expect(c.groupName).not.toBe("");
      c.subscriptionDataSet.forEach(expectWellTypedSubscription);
    }
  });
  if (e !== undefined) expect(isStratusError(e), String(e)).toBe(true);
}

describe("SubscriptionData", () => {
  it("round-trips through encodeSubscriptionData and JSON (property)", () => {
    fc.assert(
      fc.property(arbSubscription, (s) => {
        expect(decodeSubscriptionData(encodeSubscriptionData(s))).toEqual(s);
        expect(decodeSubscriptionData(JSON.parse(JSON.stringify(encodeSubscriptionData(s))) as Json)).toEqual(
          s,
        );
      }),
    );
  });

  it("reads any JSON value as a well-typed subscription, never throwing (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (v) => {
        expectWellTypedSubscription(decodeSubscriptionData(v as Json));
      }),
    );
  });

  it("fills fastjson's defaults and reads numbers sent as strings", () => {
    expect(
      decodeSubscriptionData({ topic: "T", subVersion: "12", codeSet: ["7", "x"], expressionType: "" }),
    ).toEqual({
      topic: "T",
      subString: "*",
      tagsSet: [],
      codeSet: [7, 0],
      subVersion: 12,
      expressionType: "TAG",
      classFilterMode: false,
    });
  });
});

describe("decodeHeartbeatData", () => {
  it("decodes every heartbeat a client could send (property)", () => {
    fc.assert(
      fc.property(arbHeartbeat, (h) => {
        expect(decodeHeartbeatData(body(h))).toEqual(h);
      }),
    );
  });

  it("decodes random bytes or raises StratusError (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => decodeOrStratusError(Buffer.from(bytes))),
    );
  });

  it("decodes arbitrary JSON or raises StratusError (property)", () => {
    fc.assert(fc.property(fc.json({ maxDepth: 4 }), (j) => decodeOrStratusError(Buffer.from(j))));
  });

  it("decodes a heartbeat with one field replaced by any JSON value or raises StratusError (property)", () => {
    const field = fc.constantFrom("clientID", "producerDataSet", "consumerDataSet", "heartbeatFingerprint");
    fc.assert(
      fc.property(arbHeartbeat, field, fc.jsonValue({ maxDepth: 3 }), (h, f, v) => {
        decodeOrStratusError(body({ ...h, [f]: v }));
      }),
    );
  });

  it("raises only StratusError on every truncation of a valid body (property)", () => {
    fc.assert(
      fc.property(arbHeartbeat, fc.double({ min: 0, max: 1, noNaN: true }), (h, at) => {
        const full = body(h);
        decodeOrStratusError(full.subarray(0, Math.floor(full.length * at)));
      }),
    );
  });

  it("names what is wrong with the body", () => {
    for (const [bad, message] of [
      [undefined, "HEART_BEAT: the request body is empty"],
      [Buffer.alloc(0), "HEART_BEAT: the request body is empty"],
      [Buffer.from('{"clientID":'), "HEART_BEAT: the body is not valid JSON"],
      [Buffer.from("[]"), "HEART_BEAT: the body must be a JSON object"],
      [Buffer.from("null"), "HEART_BEAT: the body must be a JSON object"],
      [body({ consumerDataSet: [] }), "HEART_BEAT: clientID is missing"],
      [body({ clientID: null }), "HEART_BEAT: clientID is missing"],
    ] as const) {
      expect(() => decodeHeartbeatData(bad), message).toThrowError(
        expect.objectContaining({ code: "ILLEGAL_ARGUMENT", message: expect.stringContaining(message) }),
      );
    }
  });

  it("refuses a consumer with more than MAX_SUBSCRIPTIONS_PER_CONSUMER subscriptions", () => {
    const subs = Array.from({ length: MAX_SUBSCRIPTIONS_PER_CONSUMER + 1 }, () => ({ topic: "T" }));
    expect(() =>
      decodeHeartbeatData(
        body({ clientID: "c", consumerDataSet: [{ groupName: "G", subscriptionDataSet: subs }] }),
      ),
    ).toThrowError(
      expect.objectContaining({ code: "LIMIT_EXCEEDED", message: expect.stringContaining("4096") }),
    );
  });

  it("drops consumer entries without a group name", () => {
    const h = decodeHeartbeatData(
      body({ clientID: "c", consumerDataSet: [{ groupName: "" }, {}, { groupName: "G" }] }),
    );
    expect(h.consumerDataSet.map((c) => c.groupName)).toEqual(["G"]);
  });
});
