import { describe, expect, it } from "vitest";
import type { TraceQueryResult } from "../../../lib/client/trace/query-trace.js";
import { formatTimestamp, formatTraceTable, renderTable } from "../../../lib/client/trace/trace-table.js";

describe("formatTimestamp", () => {
  it("writes local time to the millisecond, and '-' for no time", () => {
    const ms = new Date(2024, 0, 2, 3, 4, 5, 6).getTime();
    expect(formatTimestamp(ms)).toBe("2024-01-02 03:04:05.006");
    expect(formatTimestamp(undefined)).toBe("-");
    expect(formatTimestamp(0)).toBe("-");
  });
});

describe("renderTable", () => {
  it("pads every column to its widest cell", () => {
    expect(
      renderTable(
        ["#A", "#Bee"],
        [
          ["xyz", "1"],
          ["w", "22222"],
        ],
      ),
    ).toBe(["  #A   #Bee", "  xyz  1", "  w    22222"].join("\n"));
  });
});

describe("formatTraceTable", () => {
  const base: TraceQueryResult = {
    query: "M1",
    traceTopic: "RMQ_SYS_TRACE_TOPIC",
    traceTopicRouted: true,
    traceMessages: 1,
    malformedRecords: 0,
    messages: [],
    brokerErrors: [],
  };

  it("says when a message was neither sent with trace on nor consumed yet", () => {
    const text = formatTraceTable({
      ...base,
      messages: [{ msgId: "M1", publishes: [], consumerGroups: [], transactions: [], recalls: [] }],
    });
    expect(text).toContain("Message M1  topic -  tags -  keys -");
    expect(text).toContain("Stored   (not found on the brokers)");
    expect(text).toContain("(no send trace: was the producer's trace on?)");
    expect(text).toContain("(no consumer group has consumed it yet)");
  });

  it("lists transaction ends, recalls and broker errors", () => {
    const text = formatTraceTable({
      ...base,
      resolvedMsgId: "M1",
      query: "OFFSETID",
      brokerErrors: [{ brokerName: "broker-b", brokerAddr: "10.0.0.2:10911", message: "TIMEOUT" }],
      messages: [
        {
          msgId: "M1",
          publishes: [],
          consumerGroups: [],
          transactions: [
            {
              producerGroup: "pg_tx",
              clientHost: "10.0.0.9",
              timestampMs: 0,
              transactionId: "TID",
              transactionState: "ROLLBACK_MESSAGE",
              fromTransactionCheck: true,
              msgType: "Trans_Msg_Half",
            },
          ],
          recalls: [{ producerGroup: "pg_r", clientHost: "10.0.0.8", timestampMs: 0, status: "failed" }],
        },
      ],
    });
    expect(text).toContain("Trace of OFFSETID (offset id of msgId M1)");
    expect(text).toContain("note: broker broker-b (10.0.0.2:10911): TIMEOUT");
    expect(text).toMatch(/EndTransaction +pg_tx +10\.0\.0\.9 +- +TID +ROLLBACK_MESSAGE +true/);
    expect(text).toMatch(/Recall +pg_r +10\.0\.0\.8 +- +failed/);
  });
});
