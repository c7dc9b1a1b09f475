import { describe, expect, it } from "vitest";
import type {
  PubTraceEvent,
  SubAfterTraceEvent,
  SubBeforeTraceEvent,
  TraceEvent,
} from "../../../lib/client/trace/trace-event.js";
import {
  buildTraceViews,
  eventMatches,
  type SourcedTraceEvent,
} from "../../../lib/client/trace/trace-view.js";

const pub = (msgId: string, over: Partial<PubTraceEvent> = {}): PubTraceEvent => ({
  type: "Pub",
  timestampMs: 1000,
  regionId: "DefaultRegion",
  groupName: "pg",
  topic: "T",
  msgId,
  tags: "TagA",
  keys: "order-1 order-2",
  storeHost: "10.0.0.1:10911",
  bodyLength: 10,
  costTimeMs: 3,
  msgType: "Normal_Msg",
  offsetMsgId: "OFF",
  success: true,
  ...over,
});

const subBefore = (
  msgId: string,
  requestId: string,
  over: Partial<SubBeforeTraceEvent> = {},
): SubBeforeTraceEvent => ({
  type: "SubBefore",
  timestampMs: 2000,
  regionId: "DefaultRegion",
  groupName: "cg",
  requestId,
  msgId,
  retryTimes: 0,
  keys: "order-1 order-2",
  ...over,
});

const subAfter = (
  msgId: string,
  requestId: string,
  over: Partial<SubAfterTraceEvent> = {},
): SubAfterTraceEvent => ({
  type: "SubAfter",
  requestId,
  msgId,
  costTimeMs: 5,
  success: true,
  keys: "order-1 order-2",
  contextCode: 0,
  timestampMs: 2005,
  ...over,
});

const from = (clientHost: string, ...events: TraceEvent[]): SourcedTraceEvent[] =>
  events.map((event) => ({ event, clientHost }));

describe("eventMatches", () => {
  it("matches the msgId or one whole key, not a part of one", () => {
    expect(eventMatches(pub("M1"), "M1")).toBe(true);
    expect(eventMatches(pub("M1"), "order-2")).toBe(true);
    expect(eventMatches(pub("M1"), "order")).toBe(false);
    expect(eventMatches(pub("M1"), "M")).toBe(false);
  });
});

describe("buildTraceViews", () => {
  it("folds a send and a consume into one view of the message", () => {
    const views = buildTraceViews(
      [...from("10.0.0.5", pub("M1")), ...from("10.0.0.6", subBefore("M1", "R1"), subAfter("M1", "R1"))],
      "M1",
    );
    expect(views).toEqual([
      {
        msgId: "M1",
        topic: "T",
        tags: "TagA",
        keys: "order-1 order-2",
        publishes: [
          {
            producerGroup: "pg",
            clientHost: "10.0.0.5",
            timestampMs: 1000,
            costTimeMs: 3,
            status: "success",
            topic: "T",
            tags: "TagA",
            keys: "order-1 order-2",
            storeHost: "10.0.0.1:10911",
            offsetMsgId: "OFF",
            msgType: "Normal_Msg",
            bodyLength: 10,
            regionId: "DefaultRegion",
          },
        ],
        consumerGroups: [
          {
            groupName: "cg",
            status: "success",
            deliveries: 1,
            attempts: [
              {
                requestId: "R1",
                clientHost: "10.0.0.6",
                retryTimes: 0,
                beginTimestampMs: 2000,
                endTimestampMs: 2005,
                costTimeMs: 5,
                status: "success",
                returnType: "SUCCESS",
              },
            ],
          },
        ],
        transactions: [],
        recalls: [],
      },
    ]);
  });

  it("pairs a 4.9.x SubAfter without groupName with its SubBefore's group, attempts in time order", () => {
    const events = from(
      "h",
      subAfter("M1", "R2", { timestampMs: 12_010, groupName: undefined }),
      subBefore("M1", "R2", { timestampMs: 12_000, retryTimes: 1 }),
      subBefore("M1", "R1"),
      subAfter("M1", "R1", { success: false, contextCode: 4, groupName: undefined }),
    );
    const [group] = buildTraceViews(events, "M1")[0]?.consumerGroups ?? [];
    expect(group?.groupName).toBe("cg");
    expect(group?.status).toBe("success");
    expect(group?.deliveries).toBe(2);
    expect(group?.attempts.map((a) => [a.requestId, a.retryTimes, a.status, a.returnType])).toEqual([
      ["R1", 0, "failed", "FAILED"],
      ["R2", 1, "success", "SUCCESS"],
    ]);
  });

  it("keeps groups apart and calls an attempt without SubAfter pending", () => {
    const events = from(
      "h",
      subBefore("M1", "R1", { groupName: "cg_b" }),
      subBefore("M1", "R2", { groupName: "cg_a" }),
      subAfter("M1", "R2", { success: false, contextCode: 2, groupName: "cg_a" }),
    );
    const groups = buildTraceViews(events, "M1")[0]?.consumerGroups ?? [];
    expect(groups.map((g) => [g.groupName, g.status])).toEqual([
      ["cg_a", "failed"],
      ["cg_b", "pending"],
    ]);
    expect(groups[0]?.attempts[0]?.returnType).toBe("EXCEPTION");
  });

  it("gives one view per traced message when a key names several, skipping events of others", () => {
    const events = from(
      "h",
      pub("M1"),
      pub("M2", { keys: "order-1" }),
      pub("M3", { keys: "other" }),
      subBefore("M2", "R9", { keys: "order-1" }),
    );
    const views = buildTraceViews(events, "order-1");
    expect(views.map((v) => [v.msgId, v.publishes.length, v.consumerGroups.length])).toEqual([
      ["M1", 1, 0],
      ["M2", 1, 1],
    ]);
  });

  it("reports a transaction's end and a recall, and the topic from them when no send was traced", () => {
    const events = from(
      "h",
      {
        type: "EndTransaction",
        timestampMs: 5,
        regionId: "r",
        groupName: "pg_tx",
        topic: "TX",
        msgId: "M1",
        tags: "null",
        keys: "k",
        storeHost: "b:1",
        msgType: "Trans_Msg_Half",
        transactionId: "TID",
        transactionState: "COMMIT_MESSAGE",
        fromTransactionCheck: true,
      },
      {
        type: "Recall",
        timestampMs: 6,
        regionId: "r",
        groupName: "pg_tx",
        topic: "TX",
        msgId: "M1",
        success: false,
      },
    );
    const [view] = buildTraceViews(events, "M1");
    expect(view?.topic).toBe("TX");
    expect(view?.publishes).toEqual([]);
    expect(view?.transactions).toEqual([
      {
        producerGroup: "pg_tx",
        clientHost: "h",
        timestampMs: 5,
        transactionId: "TID",
        transactionState: "COMMIT_MESSAGE",
        fromTransactionCheck: true,
        msgType: "Trans_Msg_Half",
      },
    ]);
    expect(view?.recalls).toEqual([
      { producerGroup: "pg_tx", clientHost: "h", timestampMs: 6, status: "failed" },
    ]);
  });

  it("prefers the clientHost a 15-field Pub carries over the trace message's born host", () => {
    const [view] = buildTraceViews(from("10.9.9.9", pub("M1", { clientHost: "192.168.1.2" })), "M1");
    expect(view?.publishes[0]?.clientHost).toBe("192.168.1.2");
  });

  it("finds nothing for an id no event traces", () => {
    expect(buildTraceViews(from("h", pub("M1")), "M9")).toEqual([]);
  });
});
