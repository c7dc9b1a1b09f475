/**
 * A TraceQueryResult as plain-text tables (what `stratus trace` prints), in the spirit of mqadmin
 * queryMsgTraceById: one block per traced message — where it is stored, its sends, its consumer groups'
 * attempts, its transaction ends and recalls. Times are local, to the millisecond.
 */
import type { MessageTrace, TraceQueryResult } from "./query-trace.js";
import type { ConsumeAttempt } from "./trace-view.js";

const pad2 = (n: number) => String(n).padStart(2, "0");

/** "yyyy-MM-dd HH:mm:ss.SSS" in local time. */
export function formatTimestamp(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return "-";
  const d = new Date(ms);
  const date = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  return `${date} ${time}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

/** Rows as left-aligned columns, two spaces apart, indented by two. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `  ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

const ms = (n: number | undefined) => (n === undefined ? "-" : `${n}ms`);
const shown = (s: string | undefined) => (s === undefined || s === "" || s === "null" ? "-" : s);

function attemptStatus(a: ConsumeAttempt): string {
  return a.returnType !== undefined && a.returnType !== "SUCCESS"
    ? `${a.status} (${a.returnType})`
    : a.status;
}

function messageBlock(m: MessageTrace): string {
  const out = [`Message ${m.msgId}  topic ${shown(m.topic)}  tags ${shown(m.tags)}  keys ${shown(m.keys)}`];
  const s = m.stored;
  out.push(
    s === undefined
      ? "  Stored   (not found on the brokers)"
      : `  Stored   broker ${s.brokerName} (${s.storeHost})  queue ${s.queueId} offset ${s.queueOffset}  ` +
          `at ${formatTimestamp(s.storeTimestampMs)}  offsetMsgId ${s.offsetMsgId}`,
  );
  out.push("");
  if (m.publishes.length === 0) out.push("  (no send trace: was the producer's trace on?)");
  else
    out.push(
      renderTable(
        [
          "#Type",
          "#ProducerGroup",
          "#ClientHost",
          "#SendTime",
          "#CostTime",
          "#Status",
          "#StoreHost",
          "#OffsetMsgId",
        ],
        m.publishes.map((p) => [
          "Pub",
          p.producerGroup,
          p.clientHost,
          formatTimestamp(p.timestampMs),
          ms(p.costTimeMs),
          p.status,
          p.storeHost,
          shown(p.offsetMsgId),
        ]),
      ),
    );
  out.push("");
  const attempts = m.consumerGroups.flatMap((g) => g.attempts.map((a) => [g.groupName, a] as const));
  if (attempts.length === 0) out.push("  (no consumer group has consumed it yet)");
  else
    out.push(
      renderTable(
        [
          "#Type",
          "#ConsumerGroup",
          "#ClientHost",
          "#Retry",
          "#BeginTime",
          "#EndTime",
          "#CostTime",
          "#Status",
        ],
        attempts.map(([group, a]) => [
          "Sub",
          group === "" ? "?" : group,
          a.clientHost,
          a.retryTimes === undefined ? "-" : String(a.retryTimes),
          formatTimestamp(a.beginTimestampMs),
          formatTimestamp(a.endTimestampMs),
          ms(a.costTimeMs),
          attemptStatus(a),
        ]),
      ),
    );
  return [...out, ...otherBlocks(m)].join("\n");
}

function otherBlocks(m: MessageTrace): string[] {
  const out: string[] = [];
  if (m.transactions.length > 0)
    out.push(
      "",
      renderTable(
        ["#Type", "#ProducerGroup", "#ClientHost", "#Time", "#TransactionId", "#State", "#FromCheck"],
        m.transactions.map((t) => [
          "EndTransaction",
          t.producerGroup,
          t.clientHost,
          formatTimestamp(t.timestampMs),
          t.transactionId,
          t.transactionState,
          String(t.fromTransactionCheck),
        ]),
      ),
    );
  if (m.recalls.length > 0)
    out.push(
      "",
      renderTable(
        ["#Type", "#ProducerGroup", "#ClientHost", "#Time", "#Status"],
        m.recalls.map((r) => [
          "Recall",
          r.producerGroup,
          r.clientHost,
          formatTimestamp(r.timestampMs),
          r.status,
        ]),
      ),
    );
  return out;
}

/** The whole result: a heading line, then one block per message, blank lines between. */
export function formatTraceTable(result: TraceQueryResult): string {
  const via = result.resolvedMsgId === undefined ? "" : ` (offset id of msgId ${result.resolvedMsgId})`;
  const head =
    `Trace of ${result.query}${via}: ${result.messages.length} message(s) in ` +
    `${result.traceMessages} trace message(s) of ${result.traceTopic}`;
  const notes: string[] = [];
  if (result.malformedRecords > 0)
    notes.push(`  note: ${result.malformedRecords} trace record(s) did not decode`);
  for (const e of result.brokerErrors)
    notes.push(`  note: broker ${e.brokerName} (${e.brokerAddr}): ${e.message}`);
  return [head, ...notes, ...result.messages.map((m) => `\n${messageBlock(m)}`)].join("\n");
}
