import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../../lib/common/errors.js";
import type { MessageQueue } from "../../../lib/protocol/body/json-body.js";
import {
  compareMessageQueue,
  encodeMessageQueueKeyedMap,
  messageQueueEntries,
  parseFastjsonBeanKeys,
} from "../../../lib/protocol/body/message-queue-map.js";

const arbMq: fc.Arbitrary<MessageQueue> = fc.record({
  topic: fc.string({ minLength: 1, maxLength: 20 }),
  brokerName: fc.string({ minLength: 1, maxLength: 20 }),
  queueId: fc.integer({ min: 0, max: 1023 }),
});

function decodeLongs(text: string): Array<[MessageQueue, number]> {
  const o = parseFastjsonBeanKeys(text, "t") as Record<string, unknown>;
  return messageQueueEntries(o.offsetTable, "t.offsetTable", (v) => v as number);
}

describe("MessageQueue-keyed maps", () => {
  it("writes MessageQueue keys as unquoted beans with sorted fields", () => {
    const mq = { topic: "T", brokerName: "b", queueId: 3 };
    expect(encodeMessageQueueKeyedMap([[mq, 7]], String)).toBe(
      '{{"brokerName":"b","queueId":3,"topic":"T"}:7}',
    );
  });

  it("reads bean keys back, with whitespace and nested values", () => {
    const text =
      '{ "offsetTable" : { {"topic":"T","queueId":1,"brokerName":"b"} : 5 , {"brokerName":"c","queueId":0,"topic":"U"}:6 } }';
    expect(decodeLongs(text)).toEqual([
      [{ topic: "T", brokerName: "b", queueId: 1 }, 5],
      [{ topic: "U", brokerName: "c", queueId: 0 }, 6],
    ]);
  });

  it("leaves objects in value position alone", () => {
    expect(parseFastjsonBeanKeys('{"a":{"b":{"c":1}},"d":[{"e":2}]}', "t")).toEqual({
      a: { b: { c: 1 } },
      d: [{ e: 2 }],
    });
  });

  it("still reads standard JSON and fastjson's bare numeric keys", () => {
    expect(parseFastjsonBeanKeys('{"m":{0:"a",1:"b"}}', "t")).toEqual({ m: { "0": "a", "1": "b" } });
  });

  it("round-trips any MessageQueue-keyed map (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(arbMq, fc.integer({ min: 0, max: 2 ** 40 })), {
          selector: ([m]) => JSON.stringify(m),
          maxLength: 8,
        }),
        (entries) => {
          const text = `{"offsetTable":${encodeMessageQueueKeyedMap(entries, String)}}`;
          expect(decodeLongs(text)).toEqual(entries);
        },
      ),
    );
  });

  it("rejects keys missing a MessageQueue field", () => {
    expect(() => decodeLongs('{"offsetTable":{{"brokerName":"b","topic":"T"}:1}}')).toThrow(/queueId/);
  });

  it("rejects unterminated keys and over-deep nesting with StratusError", () => {
    for (const text of [
      '{"offsetTable":{{"brokerName":"b"',
      `{"k":${"[".repeat(200)}`,
      `{${"{".repeat(200)}`,
    ]) {
      expect(() => parseFastjsonBeanKeys(text, "t")).toThrow(/malformed/);
    }
  });

  it("raises only StratusError on random text (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseFastjsonBeanKeys(text, "t");
        } catch (e) {
          expect(isStratusError(e)).toBe(true);
        }
      }),
    );
  });

  it("raises only StratusError on mangled valid bodies (property)", () => {
    const valid = '{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"x":[1,2,{"y":"}"}]}}}';
    fc.assert(
      fc.property(fc.integer({ min: 0, max: valid.length }), fc.string({ maxLength: 3 }), (cut, junk) => {
        try {
          const o = parseFastjsonBeanKeys(valid.slice(0, cut) + junk + valid.slice(cut), "t") as Record<
            string,
            unknown
          >;
          messageQueueEntries(o?.offsetTable, "t", (v) => v);
        } catch (e) {
          expect(isStratusError(e)).toBe(true);
        }
      }),
    );
  });

  it("orders MessageQueues as Java's compareTo does", () => {
    const a = { topic: "A", brokerName: "b", queueId: 2 };
    const b = { topic: "A", brokerName: "b", queueId: 10 };
    const c = { topic: "B", brokerName: "a", queueId: 0 };
    expect([c, b, a].sort(compareMessageQueue)).toEqual([a, b, c]);
  });
});
