import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeTraceData,
  decodeTraceRecord,
  encodeTraceData,
  encodeTraceRecord,
  splitTraceRecords,
  traceMessageKeys,
} from "../../../lib/client/trace/trace-data.js";
import type { TraceEvent } from "../../../lib/client/trace/trace-event.js";
import { isStratusError } from "../../../lib/common/errors.js";
import { MAX_TRACE_BODY_BYTES } from "../../../lib/common/limits.js";
import { readGolden } from "../../golden/message/golden-hex.js";
import { errorOf } from "../../support/error-of.js";

const MSG_ID = "7F000001000A18B4AAC2000000000001";
const REQUEST_ID = "0A0B0C0D000A18B4AAC2000000000099";

const GOLDEN_49: TraceEvent[] = [
  {
    type: "Pub",
    timestampMs: 1700000000001,
    regionId: "DefaultRegion",
    groupName: "pg_golden",
    topic: "TopicGolden",
    msgId: MSG_ID,
    tags: "TagG",
    keys: "kg1 kg2",
    storeHost: "127.0.0.1:10911",
    bodyLength: 77,
    costTimeMs: 5,
    msgType: "Normal_Msg",
    offsetMsgId: "7F00000100002A9F0000000000001F40",
    success: true,
    clientHost: undefined,
  },
  {
    type: "SubBefore",
    timestampMs: 1700000000123,
    regionId: "RegionSB",
    groupName: "cg_golden",
    requestId: REQUEST_ID,
    msgId: MSG_ID,
    retryTimes: 2,
    keys: "kg1 kg2",
  },
  {
    type: "SubAfter",
    requestId: REQUEST_ID,
    msgId: MSG_ID,
    costTimeMs: 42,
    success: false,
    keys: "kg1 kg2",
    contextCode: 4,
    timestampMs: 1700000000170,
    groupName: undefined,
  },
];

const GOLDEN_MIXED: TraceEvent[] = [
  {
    type: "SubAfter",
    requestId: "REQ9",
    msgId: "MSGID9",
    costTimeMs: -3,
    success: true,
    keys: "null",
    contextCode: 0,
    timestampMs: 1700000000999,
    groupName: "cg_five",
  },
  {
    type: "EndTransaction",
    timestampMs: 1700000001000,
    regionId: "RegionTx",
    groupName: "pg_tx",
    topic: "TopicTx",
    msgId: "TXMSGID",
    tags: "null",
    keys: "ktx",
    storeHost: "10.1.2.3:10911",
    msgType: "Trans_Msg_Half",
    transactionId: "TXID-77",
    transactionState: "ROLLBACK_MESSAGE",
    fromTransactionCheck: true,
  },
  {
    type: "Recall",
    timestampMs: 1700000002000,
    regionId: "RegionRc",
    groupName: "pg_recall",
    topic: "TopicRc",
    msgId: "RCMSGID",
    success: false,
  },
  {
    type: "Pub",
    timestampMs: 1700000003000,
    regionId: "R15",
    groupName: "pg15",
    topic: "T15",
    msgId: "M15",
    tags: "",
    keys: "k15",
    storeHost: "[::1]:10911",
    bodyLength: 2147483647,
    costTimeMs: 0,
    msgType: "Order_Msg",
    offsetMsgId: "OFF15",
    success: false,
    clientHost: "192.168.7.8",
  },
  {
    type: "Pub",
    timestampMs: 1700000004000,
    regionId: "R13",
    groupName: "pg13",
    topic: "T13",
    msgId: "M13",
    tags: "t13",
    keys: "k13",
    storeHost: "h13:1",
    bodyLength: 13,
    costTimeMs: 1,
    msgType: "Delay_Msg",
    offsetMsgId: undefined,
    success: true,
    clientHost: undefined,
  },
];

function body(...records: string[]): Buffer {
  return Buffer.from(records.map((r) => `${r}\u0002`).join(""));
}

const r = (...fields: (string | number)[]) => fields.join("\u0001");

describe("trace body golden fixtures", () => {
  it.each([
    ["trace/pub-sub-4.9.hex", GOLDEN_49],
    ["trace/mixed-5.x.hex", GOLDEN_MIXED],
  ])("decodes %s record by record", (path, events) => {
    expect(decodeTraceData(readGolden(path))).toEqual(events);
  });

  it.each([
    ["trace/pub-sub-4.9.hex", GOLDEN_49],
    ["trace/mixed-5.x.hex", GOLDEN_MIXED],
  ])("encodes %s byte for byte", (path, events) => {
    expect(encodeTraceData(events).toString("hex")).toBe(readGolden(path).toString("hex"));
  });
});

const JAVA_RUN = "551981fe4abb";
const JAVA_MSG = (n: string) => `FD00000000000000000000000000000223E94E0E2F2A943C${n}`;
const JAVA_GROUP = `cg_trace_${JAVA_RUN}`;

const javaPub = (
  msgId: string,
  timestampMs: number,
  key: number,
  costTimeMs: number,
  offset: string,
): TraceEvent => ({
  type: "Pub",
  timestampMs,
  regionId: "DefaultRegion",
  groupName: `pg_trace_${JAVA_RUN}`,
  topic: `compat_trace_${JAVA_RUN}`,
  msgId,
  tags: "TagTrace",
  keys: `trace_${JAVA_RUN}_${key}`,
  storeHost: "127.0.0.1:38485",
  bodyLength: 64,
  costTimeMs,
  msgType: "Normal_Msg",
  offsetMsgId: `7F00000100009655${offset}`,
  success: true,
  clientHost: undefined,
});

const javaBefore = (timestampMs: number, requestId: string, msgId: string, key: number): TraceEvent => ({
  type: "SubBefore",
  timestampMs,
  regionId: "null",
  groupName: JAVA_GROUP,
  requestId,
  msgId,
  retryTimes: 0,
  keys: `trace_${JAVA_RUN}_${key}`,
});

const javaAfter = (
  requestId: string,
  msgId: string,
  costTimeMs: number,
  success: boolean,
  key: number,
  timestampMs: number,
): TraceEvent => ({
  type: "SubAfter",
  requestId,
  msgId,
  costTimeMs,
  success,
  keys: `trace_${JAVA_RUN}_${key}`,
  contextCode: success ? 0 : 4,
  timestampMs,
  groupName: JAVA_GROUP,
});

describe("trace bodies captured from the Java client 4.9.8", () => {
  const pubs = [
    javaPub(JAVA_MSG("2E7D0000"), 1795978172031, 0, 136, "0000000000000000"),
    javaPub(JAVA_MSG("2F090002"), 1795978172169, 1, 22, "0000000000000145"),
  ];
  const consume = [
    javaBefore(1795978172999, JAVA_MSG("32470008"), JAVA_MSG("2E7D0000"), 0),
    javaBefore(1795978173001, JAVA_MSG("32430007"), JAVA_MSG("2F090002"), 1),
    javaAfter(JAVA_MSG("32430007"), JAVA_MSG("2F090002"), 6, true, 1, 1795978173007),
    javaBefore(1795978173018, JAVA_MSG("325A000A"), JAVA_MSG("2F200004"), 2),
    javaAfter(JAVA_MSG("325A000A"), JAVA_MSG("2F200004"), 4, true, 2, 1795978173022),
    javaAfter(JAVA_MSG("32470008"), JAVA_MSG("2E7D0000"), 24, false, 0, 1795978173022),
  ];

  it.each([
    ["trace/java-4.9.8-pub.hex", pubs],
    ["trace/java-4.9.8-consume.hex", consume],
  ])("decodes %s and encodes it back byte for byte", (path, events) => {
    const bytes = readGolden(path);
    expect(decodeTraceData(bytes)).toEqual(events);
    expect(encodeTraceData(events).toString("hex")).toBe(bytes.toString("hex"));
  });
});

describe("decodeTraceData", () => {
  it("decodes an empty body to no events", () => {
    expect(decodeTraceData(Buffer.alloc(0))).toEqual([]);
  });

  it("skips records of an unknown type and empty records, as Java does", () => {
    const pub = r("Pub", 1, "", "g", "t", "m", "", "", "h", 1, 1, 0, "o", "true");
    const events = decodeTraceData(body(r("PullAfter", "x", "y"), "", pub, "Bogus"));
    expect(events.map((e) => e.type)).toEqual(["Pub"]);
  });

  it("reads a final record without its 0x02 terminator", () => {
    const pub = r("Pub", 1, "", "g", "t", "m", "", "", "h", 1, 1, 0, "o", "true");
    expect(decodeTraceData(Buffer.from(pub))).toHaveLength(1);
  });

  it("takes booleans the way Boolean.parseBoolean does", () => {
    const success = (s: string) => decodeTraceRecord(r("SubAfter", "q", "m", 1, s, "k"));
    expect(success("TRUE")).toMatchObject({ success: true });
    expect(success("True")).toMatchObject({ success: true });
    expect(success("yes")).toMatchObject({ success: false });
    expect(success("")).toMatchObject({ success: false });
  });

  it("reads the 6- and 7-field SubAfter of older clients and the CLOUD channel", () => {
    expect(decodeTraceRecord(r("SubAfter", "q", "m", 7, "true", "k"))).toEqual({
      type: "SubAfter",
      requestId: "q",
      msgId: "m",
      costTimeMs: 7,
      success: true,
      keys: "k",
      contextCode: undefined,
      timestampMs: undefined,
      groupName: undefined,
    });
    expect(decodeTraceRecord(r("SubAfter", "q", "m", 7, "true", "k", 2))).toMatchObject({ contextCode: 2 });
  });

  it("ignores fields past the last known one", () => {
    const e = decodeTraceRecord(r("Recall", 5, "rg", "g", "t", "m", "true", "extra", "more"));
    expect(e).toMatchObject({ type: "Recall", success: true, msgId: "m" });
  });

  it("rejects a body over MAX_TRACE_BODY_BYTES before decoding it", () => {
    const e = errorOf(() => decodeTraceData(Buffer.alloc(MAX_TRACE_BODY_BYTES + 1, 0x41)));
    expect(isStratusError(e, "LIMIT_EXCEEDED")).toBe(true);
  });

  it.each([
    ["a short Pub", r("Pub", 1, "", "g", "t", "m", "", "", "h", 1, 1, 0)],
    ["a short SubBefore", r("SubBefore", 1, "", "g", "q", "m", 0)],
    ["a short SubAfter", r("SubAfter", "q", "m", 1, "true")],
    ["a short EndTransaction", r("EndTransaction", 1, "", "g", "t", "m", "", "", "h", 1, "x", "UNKNOW")],
    ["a short Recall", r("Recall", 1, "", "g", "t", "m")],
    ["a non-numeric timestamp", r("SubBefore", "soon", "", "g", "q", "m", 0, "k")],
    ["a timestamp past 2^53", r("SubBefore", "9223372036854775807", "", "g", "q", "m", 0, "k")],
    ["an int out of range", r("SubAfter", "q", "m", "2147483648", "true", "k")],
    ["a decimal cost", r("SubAfter", "q", "m", "1.5", "true", "k")],
    ["an unknown msgType ordinal", r("Pub", 1, "", "g", "t", "m", "", "", "h", 1, 1, 9, "o", "true")],
    ["a negative msgType ordinal", r("Pub", 1, "", "g", "t", "m", "", "", "h", 1, 1, -1, "o", "true")],
    [
      "an unknown transaction state",
      r("EndTransaction", 1, "", "g", "t", "m", "", "", "h", 1, "x", "COMMIT", "false"),
    ],
  ])("rejects %s with RECORD_MALFORMED", (_what, record) => {
    const e = errorOf(() => decodeTraceData(body(record)));
    expect(isStratusError(e, "RECORD_MALFORMED"), String(e)).toBe(true);
  });

  it("rejects every truncation of the golden Pub that leaves fewer than 13 fields", () => {
    const pub = splitTraceRecords(readGolden("trace/pub-sub-4.9.hex"))[0] ?? "";
    for (let n = 1; n < pub.length; n++) {
      const cut = pub.slice(0, n);
      const fields = cut.split("\u0001").length;
      const decode = () => decodeTraceData(body(cut));
      if (cut !== "Pub" && !cut.startsWith("Pub\u0001")) expect(decode(), `n=${n}`).toEqual([]);
      else if (fields < 13) expect(isStratusError(errorOf(decode), "RECORD_MALFORMED"), `n=${n}`).toBe(true);
      else
        expect(
          decode().map((e) => e.type),
          `n=${n}`,
        ).toEqual(["Pub"]);
    }
  });
});

describe("encodeTraceRecord", () => {
  it("refuses a field holding a separator", () => {
    const e = errorOf(() =>
      encodeTraceRecord({
        type: "Recall",
        timestampMs: 1,
        regionId: "a\u0001b",
        groupName: "",
        topic: "",
        msgId: "",
        success: true,
      }),
    );
    expect(isStratusError(e, "ILLEGAL_ARGUMENT")).toBe(true);
  });

  it("writes the SubAfter optional fields up to the last one present, filling gaps with Java defaults", () => {
    const base = {
      type: "SubAfter",
      requestId: "q",
      msgId: "m",
      costTimeMs: 1,
      success: true,
      keys: "k",
    } as const;
    expect(encodeTraceRecord({ ...base, groupName: "g" })).toBe(
      `${r("SubAfter", "q", "m", 1, "true", "k", 0, 0, "g")}\u0002`,
    );
    expect(encodeTraceRecord(base)).toBe(`${r("SubAfter", "q", "m", 1, "true", "k")}\u0002`);
  });
});

describe("traceMessageKeys", () => {
  it("indexes a trace message by every traced msgId and each key, once", () => {
    expect(traceMessageKeys(GOLDEN_49)).toEqual([MSG_ID, "kg1", "kg2"]);
    expect(traceMessageKeys(GOLDEN_MIXED)).toEqual([
      "MSGID9",
      "null",
      "TXMSGID",
      "ktx",
      "RCMSGID",
      "M15",
      "k15",
      "M13",
      "k13",
    ]);
  });
});

const text = fc.string({ maxLength: 12 }).filter((s) => !s.includes("\u0001") && !s.includes("\u0002"));
const long = fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 });
const int = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const msgType = fc.constantFrom(
  "Normal_Msg",
  "Trans_Msg_Half",
  "Trans_msg_Commit",
  "Delay_Msg",
  "Order_Msg" as const,
);

const pubArb = fc
  .record({
    timestampMs: long,
    regionId: text,
    groupName: text,
    topic: text,
    msgId: text,
    tags: text,
    keys: text,
    storeHost: text,
    bodyLength: int,
    costTimeMs: int,
    msgType,
    success: fc.boolean(),
    form: fc.constantFrom(13, 14, 15),
    offsetMsgId: text,
    clientHost: text,
  })
  .map(
    ({ form, offsetMsgId, clientHost, ...rest }): TraceEvent => ({
      type: "Pub",
      ...rest,
      offsetMsgId: form >= 14 ? offsetMsgId : undefined,
      clientHost: form >= 15 ? clientHost : undefined,
    }),
  );

const subBeforeArb = fc
  .record({
    timestampMs: long,
    regionId: text,
    groupName: text,
    requestId: text,
    msgId: text,
    retryTimes: int,
    keys: text,
  })
  .map((v): TraceEvent => ({ type: "SubBefore", ...v }));

const subAfterArb = fc
  .record({
    requestId: text,
    msgId: text,
    costTimeMs: int,
    success: fc.boolean(),
    keys: text,
    extra: fc.integer({ min: 0, max: 3 }),
    contextCode: int,
    timestampMs: long,
    groupName: text,
  })
  .map(
    ({ extra, contextCode, timestampMs, groupName, ...rest }): TraceEvent => ({
      type: "SubAfter",
      ...rest,
      contextCode: extra >= 1 ? contextCode : undefined,
      timestampMs: extra >= 2 ? timestampMs : undefined,
      groupName: extra >= 3 ? groupName : undefined,
    }),
  );

const endTxArb = fc
  .record({
    timestampMs: long,
    regionId: text,
    groupName: text,
    topic: text,
    msgId: text,
    tags: text,
    keys: text,
    storeHost: text,
    msgType,
    transactionId: text,
    transactionState: fc.constantFrom("COMMIT_MESSAGE", "ROLLBACK_MESSAGE", "UNKNOW" as const),
    fromTransactionCheck: fc.boolean(),
  })
  .map((v): TraceEvent => ({ type: "EndTransaction", ...v }));

const recallArb = fc
  .record({
    timestampMs: long,
    regionId: text,
    groupName: text,
    topic: text,
    msgId: text,
    success: fc.boolean(),
  })
  .map((v): TraceEvent => ({ type: "Recall", ...v }));

const eventArb = fc.oneof(pubArb, subBeforeArb, subAfterArb, endTxArb, recallArb);

describe("trace body properties", () => {
  it("decodes what it encodes", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 8 }), (events) => {
        expect(decodeTraceData(encodeTraceData(events))).toEqual(events);
      }),
    );
  });

  it("decodes random bytes to events or a StratusError, never anything else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const e = errorOf(() => decodeTraceData(Buffer.from(bytes)));
        expect(e === undefined || isStratusError(e), String(e)).toBe(true);
      }),
    );
  });

  it("decodes random field soup under known type names to events or a StratusError", () => {
    const soup = fc
      .tuple(
        fc.constantFrom("Pub", "SubBefore", "SubAfter", "EndTransaction", "Recall"),
        fc.array(fc.oneof(text, fc.integer().map(String), fc.constantFrom("true", "UNKNOW", "4")), {
          maxLength: 16,
        }),
      )
      .map(([type, fields]) => [type, ...fields].join("\u0001"));
    fc.assert(
      fc.property(fc.array(soup, { maxLength: 4 }), (records) => {
        const e = errorOf(() => decodeTraceData(body(...records)));
        expect(e === undefined || isStratusError(e, "RECORD_MALFORMED"), String(e)).toBe(true);
      }),
    );
  });

  it("decodes any truncation of a valid body to events or RECORD_MALFORMED", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 4 }), fc.nat(), (events, cut) => {
        const full = encodeTraceData(events);
        const e = errorOf(() => decodeTraceData(full.subarray(0, cut % full.length)));
        expect(e === undefined || isStratusError(e, "RECORD_MALFORMED"), String(e)).toBe(true);
      }),
    );
  });
});
