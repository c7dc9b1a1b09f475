import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../../lib/common/errors.js";
import { decodeMessageQueue, type Json, type MessageQueue } from "../../../lib/protocol/body/json-body.js";
import {
  decodeLockBatchRequestBody,
  encodeLockBatchResponseBody,
  type LockBatchRequestBody,
  MAX_LOCK_BATCH_QUEUES,
} from "../../../lib/protocol/body/lock-batch-body.js";
import { errorOf } from "../../support/error-of.js";

const text = fc.string({ unit: "binary", maxLength: 16 });

const arbMq: fc.Arbitrary<MessageQueue> = fc.record({
  topic: text,
  brokerName: text,
  queueId: fc.integer({ min: 0, max: 1023 }),
});

const arbBody: fc.Arbitrary<LockBatchRequestBody> = fc.record({
  clientId: text,
  consumerGroup: text,
  mqSet: fc.array(arbMq, { maxLength: 5 }),
  onlyThisBroker: fc.boolean(),
});

const body = (v: unknown) => Buffer.from(JSON.stringify(v));

/** Decodes `buf`; a failure must be a StratusError, a success a well-typed request body. */
function decodeOrStratusError(buf: Buffer): void {
  const e = errorOf(() => {
    const b = decodeLockBatchRequestBody(buf, "LOCK_BATCH_MQ");
    expect([typeof b.clientId, typeof b.consumerGroup, typeof b.onlyThisBroker]).toEqual([
      "string",
      "string",
      "boolean",
    ]);
    expect(b.mqSet.length).toBeLessThanOrEqual(MAX_LOCK_BATCH_QUEUES);
    for (const mq of b.mqSet) {
      expect([typeof mq.topic, typeof mq.brokerName]).toEqual(["string", "string"]);
      expect(Number.isFinite(mq.queueId), String(mq.queueId)).toBe(true);
    }
  });
  if (e !== undefined) expect(isStratusError(e), String(e)).toBe(true);
}

describe("LockBatchRequestBody", () => {
  it("decodes every body a client could send (property)", () => {
    fc.assert(
      fc.property(arbBody, (b) => {
        expect(decodeLockBatchRequestBody(body(b), "LOCK_BATCH_MQ")).toEqual(b);
      }),
    );
  });

  it("decodes random bytes or raises StratusError (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => decodeOrStratusError(Buffer.from(bytes))),
    );
  });

  it("decodes arbitrary JSON, or a body with one field replaced by any value, or raises StratusError (property)", () => {
    fc.assert(fc.property(fc.json({ maxDepth: 4 }), (j) => decodeOrStratusError(Buffer.from(j))));
    const field = fc.constantFrom("clientId", "consumerGroup", "mqSet", "onlyThisBroker");
    fc.assert(
      fc.property(arbBody, field, fc.jsonValue({ maxDepth: 3 }), (b, f, v) => {
        decodeOrStratusError(body({ ...b, [f]: v }));
      }),
    );
  });

  it("raises only StratusError on every truncation of a valid body (property)", () => {
    fc.assert(
      fc.property(arbBody, (b) => {
        const full = body(b);
        for (let cut = 0; cut < full.length; cut++) decodeOrStratusError(full.subarray(0, cut));
      }),
      { numRuns: 30 },
    );
  });

  it("names the request in its errors", () => {
    for (const [bad, message] of [
      [undefined, "UNLOCK_BATCH_MQ: the request body is empty"],
      [Buffer.from("{mqSet:[]}"), "UNLOCK_BATCH_MQ: the body is not valid JSON"],
      [Buffer.from('"mqSet"'), "UNLOCK_BATCH_MQ: the body must be a JSON object"],
    ] as const) {
      expect(() => decodeLockBatchRequestBody(bad, "UNLOCK_BATCH_MQ")).toThrowError(
        expect.objectContaining({ code: "ILLEGAL_ARGUMENT", message: expect.stringContaining(message) }),
      );
    }
  });

  it("refuses more than MAX_LOCK_BATCH_QUEUES queues", () => {
    const mqSet = Array.from({ length: MAX_LOCK_BATCH_QUEUES + 1 }, (_, i) => ({
      topic: "T",
      brokerName: "b",
      queueId: i,
    }));
    expect(() =>
      decodeLockBatchRequestBody(body({ clientId: "c", consumerGroup: "G", mqSet }), "LOCK_BATCH_MQ"),
    ).toThrowError(
      expect.objectContaining({
        code: "LIMIT_EXCEEDED",
        message: `LOCK_BATCH_MQ: more than ${MAX_LOCK_BATCH_QUEUES} queues`,
      }),
    );
  });

  it("reads fastjson's string-typed numbers and booleans", () => {
    expect(
      decodeLockBatchRequestBody(
        body({
          clientId: "c",
          consumerGroup: "G",
          mqSet: [{ topic: "T", brokerName: "b", queueId: "3" }],
          onlyThisBroker: "TRUE",
        }),
        "LOCK_BATCH_MQ",
      ),
    ).toEqual({
      clientId: "c",
      consumerGroup: "G",
      mqSet: [{ topic: "T", brokerName: "b", queueId: 3 }],
      onlyThisBroker: true,
    });
  });
});

describe("LockBatchResponseBody", () => {
  it("writes lockOKMQSet so that each queue reads back as sent (property)", () => {
    fc.assert(
      fc.property(fc.array(arbMq, { maxLength: 5 }), (mqs) => {
        const parsed = JSON.parse(encodeLockBatchResponseBody(mqs).toString()) as { lockOKMQSet: Json[] };
        expect(Object.keys(parsed)).toEqual(["lockOKMQSet"]);
        expect(parsed.lockOKMQSet.map(decodeMessageQueue)).toEqual(mqs);
      }),
    );
  });
});
