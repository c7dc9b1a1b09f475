import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../../lib/common/errors.js";
import {
  type ConsumerConnection,
  decodeConsumerConnection,
  decodeProducerConnection,
  encodeConsumerConnection,
  encodeProducerConnection,
} from "../../../lib/protocol/body/connection-bodies.js";
import { readAdminFixture } from "../../golden/admin/read-golden.js";

const consumer: ConsumerConnection = {
  connectionSet: [
    { clientAddr: "10.0.0.7:53311", clientId: "10.0.0.7@1234", language: "JAVA", version: 409 },
  ],
  subscriptionTable: [
    {
      topic: "TopicA",
      subString: "TagA",
      tagsSet: ["TagA"],
      codeSet: [2598919],
      subVersion: 1_700_000_000_001,
      expressionType: "TAG",
      classFilterMode: false,
    },
  ],
  consumeType: "CONSUME_ACTIVELY",
  messageModel: "BROADCASTING",
  consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
};

const producers = [{ clientAddr: "10.0.0.8:40001", clientId: "10.0.0.8@99", language: "GO", version: 317 }];

describe("ConsumerConnection", () => {
  it("encodes the golden body byte for byte", () => {
    expect(encodeConsumerConnection(consumer).toString()).toBe(readAdminFixture("consumer-connection"));
  });
  it("decodes the golden body", () => {
    expect(decodeConsumerConnection(Buffer.from(readAdminFixture("consumer-connection")))).toEqual(consumer);
  });
});

describe("ProducerConnection", () => {
  it("encodes the golden body byte for byte", () => {
    expect(encodeProducerConnection(producers).toString()).toBe(readAdminFixture("producer-connection"));
  });
  it("decodes the golden body", () => {
    expect(decodeProducerConnection(Buffer.from(readAdminFixture("producer-connection")))).toEqual(producers);
  });
  it("raises only StratusError on random bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        for (const decode of [decodeProducerConnection, decodeConsumerConnection]) {
          try {
            decode(Buffer.from(bytes));
          } catch (e) {
            expect(isStratusError(e)).toBe(true);
          }
        }
      }),
    );
  });
});
