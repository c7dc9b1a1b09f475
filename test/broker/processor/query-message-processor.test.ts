import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_QUERY_BODY_BYTES } from "../../../lib/common/limits.js";
import { decodeMessageRecords } from "../../../lib/protocol/message-record.js";
import { RequestCode } from "../../../lib/protocol/request-code.js";
import { ResponseCode } from "../../../lib/protocol/response-code.js";
import { type AdminFixture, createAdminFixture } from "./admin-fixture.js";

const T0 = 1_700_000_000_000;
let f: AdminFixture;
beforeEach(() => {
  f = createAdminFixture();
});
afterEach(() => f.cleanup());

function query(key: string, extra: Record<string, string> = {}) {
  return f.call(RequestCode.QUERY_MESSAGE, {
    topic: "TopicA",
    key,
    maxNum: "32",
    beginTimestamp: String(T0),
    endTimestamp: "9223372036854775807",
    ...extra,
  });
}

describe("QUERY_MESSAGE", () => {
  it("answers the matching records back to back, with the index's last update in the header", async () => {
    f.store.put("TopicA", 0, { keys: ["order-1"], body: "a", storeTimestamp: T0 + 1 });
    f.store.put("TopicA", 1, { keys: ["order-2"], body: "b", storeTimestamp: T0 + 2 });
    const last = f.store.put("TopicA", 0, { keys: ["x", "order-1"], body: "c", storeTimestamp: T0 + 3 });
    const r = await query("order-1");
    expect(r.code).toBe(ResponseCode.SUCCESS);
    expect(decodeMessageRecords(r.body ?? Buffer.alloc(0)).map((m) => m.body.toString())).toEqual(["c", "a"]);
    expect(r.extFields).toEqual({
      indexLastUpdateTimestamp: String(T0 + 3),
      indexLastUpdatePhyoffset: String(last.phy),
    });
  });

  it("answers QUERY_NOT_FOUND, still with the index header, when nothing matches the key or the time range", async () => {
    f.store.put("TopicA", 0, { keys: ["order-1"], storeTimestamp: T0 - 5 });
    for (const r of [await query("nope"), await query("order-1")]) {
      expect(r.code).toBe(ResponseCode.QUERY_NOT_FOUND);
      expect(r.remark).toBe("can not find message, maybe time range not correct");
      expect(r.extFields.indexLastUpdateTimestamp).toBe(String(T0 - 5));
    }
  });

  it("honours maxNum, but answers up to 32 for a UNIQ_KEY query whatever maxNum says", async () => {
    for (let i = 0; i < 40; i++)
      f.store.put("TopicA", 0, { keys: ["k"], uniqKey: "U1", storeTimestamp: T0 + i });
    const limited = await query("k", { maxNum: "3" });
    expect(decodeMessageRecords(limited.body ?? Buffer.alloc(0))).toHaveLength(3);
    const uniq = await query("U1", { maxNum: "1", _UNIQUE_KEY_QUERY: "true" });
    expect(decodeMessageRecords(uniq.body ?? Buffer.alloc(0))).toHaveLength(32);
    const capped = await query("k", { maxNum: "100000" });
    expect(decodeMessageRecords(capped.body ?? Buffer.alloc(0))).toHaveLength(40);
  });

  it("stops adding records at MAX_QUERY_BODY_BYTES", async () => {
    const big = "x".repeat(3 * 1024 * 1024);
    for (let i = 0; i < 4; i++)
      f.store.put("TopicA", 0, { keys: ["big"], body: big, storeTimestamp: T0 + i });
    const r = await query("big");
    expect(r.body?.length).toBeLessThanOrEqual(MAX_QUERY_BODY_BYTES);
    expect(decodeMessageRecords(r.body ?? Buffer.alloc(0))).toHaveLength(2);
  });

  it("answers SYSTEM_ERROR naming a missing or non-numeric header field", async () => {
    const r = await f.call(RequestCode.QUERY_MESSAGE, {
      topic: "TopicA",
      key: "k",
      maxNum: "x",
      beginTimestamp: "0",
      endTimestamp: "1",
    });
    expect(r.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(r.remark).toContain("<maxNum>");
    const r2 = await f.call(RequestCode.QUERY_MESSAGE, { topic: "TopicA" });
    expect(r2.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(r2.remark).toContain("<key>");
  });
});

describe("VIEW_MESSAGE_BY_ID", () => {
  it("answers the record at the CommitLog offset", async () => {
    f.store.put("TopicA", 0, { body: "first", storeTimestamp: T0 });
    const m = f.store.put("TopicA", 0, { body: "second", storeTimestamp: T0 + 1 });
    const r = await f.call(RequestCode.VIEW_MESSAGE_BY_ID, { offset: String(m.phy) });
    expect(r.code).toBe(ResponseCode.SUCCESS);
    expect(r.body).toEqual(m.record);
  });

  it("answers SYSTEM_ERROR with Apache's remark for an offset without a record", async () => {
    f.store.put("TopicA", 0, { storeTimestamp: T0 });
    for (const offset of ["5", "-1", "123456789"]) {
      const r = await f.call(RequestCode.VIEW_MESSAGE_BY_ID, { offset });
      expect(r.code).toBe(ResponseCode.SYSTEM_ERROR);
      expect(r.remark).toBe(`can not find message by the offset, ${offset}`);
    }
  });
});
