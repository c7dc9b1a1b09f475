/**
 * "What happened to message X": trace events of one or more trace messages folded into one view per traced
 * message — who sent it, which consumer groups ran it (each attempt: retry count, times, cost, outcome),
 * how its transaction ended, whether it was recalled. Pure: the stored-message lookup is query-trace.ts's.
 *
 * Consume attempts are paired by (requestId, msgId): a SubAfter carries the requestId of its SubBefore.
 * 4.9.x SubAfter records have no groupName; the group is then the paired SubBefore's.
 */
import {
  CONSUME_RETURN_TYPES,
  type ConsumeReturnType,
  type EndTransactionTraceEvent,
  type LocalTransactionState,
  type MessageType,
  type PubTraceEvent,
  type RecallTraceEvent,
  type SubAfterTraceEvent,
  type SubBeforeTraceEvent,
  type TraceEvent,
} from "./trace-event.js";

/** An event and where its trace message came from. */
export interface SourcedTraceEvent {
  event: TraceEvent;
  /** IP of the client that wrote the trace message (its born host), as mqadmin shows it. */
  clientHost: string;
}

export type OutcomeStatus = "success" | "failed";

export interface PublishTrace {
  producerGroup: string;
  clientHost: string;
  /** When the send started (client clock). */
  timestampMs: number;
  costTimeMs: number;
  status: OutcomeStatus;
  topic: string;
  tags: string;
  keys: string;
  /** The broker address the producer sent to. */
  storeHost: string;
  offsetMsgId?: string | undefined;
  msgType: MessageType;
  bodyLength: number;
  regionId: string;
}

export interface ConsumeAttempt {
  requestId: string;
  clientHost: string;
  /** The message's reconsumeTimes when this attempt began (0 = first delivery). */
  retryTimes?: number | undefined;
  /** SubBefore time: the listener was about to run. */
  beginTimestampMs?: number | undefined;
  /** SubAfter time: the listener returned. */
  endTimestampMs?: number | undefined;
  costTimeMs?: number | undefined;
  /** "pending" while only the SubBefore is known (still consuming, or its SubAfter is not flushed yet). */
  status: OutcomeStatus | "pending";
  returnType?: ConsumeReturnType | undefined;
}

export interface ConsumerGroupTrace {
  groupName: string;
  /** success once any attempt succeeded; failed when every finished attempt failed; else pending. */
  status: OutcomeStatus | "pending";
  /** 1 + the highest retryTimes seen. */
  deliveries: number;
  attempts: ConsumeAttempt[];
}

export interface TransactionTrace {
  producerGroup: string;
  clientHost: string;
  timestampMs: number;
  transactionId: string;
  transactionState: LocalTransactionState;
  fromTransactionCheck: boolean;
  msgType: MessageType;
}

export interface RecallTrace {
  producerGroup: string;
  clientHost: string;
  timestampMs: number;
  status: OutcomeStatus;
}

export interface MessageTraceView {
  msgId: string;
  topic?: string | undefined;
  tags?: string | undefined;
  keys?: string | undefined;
  publishes: PublishTrace[];
  consumerGroups: ConsumerGroupTrace[];
  transactions: TransactionTrace[];
  recalls: RecallTrace[];
}

/** True when the event traces `idOrKey`: its msgId, or one of its space-separated keys. */
export function eventMatches(event: TraceEvent, idOrKey: string): boolean {
  if (event.msgId === idOrKey) return true;
  return "keys" in event && event.keys.split(" ").includes(idOrKey);
}

const status = (success: boolean): OutcomeStatus => (success ? "success" : "failed");

function publishOf(e: PubTraceEvent, clientHost: string): PublishTrace {
  return {
    producerGroup: e.groupName,
    clientHost: e.clientHost ?? clientHost,
    timestampMs: e.timestampMs,
    costTimeMs: e.costTimeMs,
    status: status(e.success),
    topic: e.topic,
    tags: e.tags,
    keys: e.keys,
    storeHost: e.storeHost,
    offsetMsgId: e.offsetMsgId,
    msgType: e.msgType,
    bodyLength: e.bodyLength,
    regionId: e.regionId,
  };
}

interface PendingAttempt {
  groupName: string;
  before?: { event: SubBeforeTraceEvent; clientHost: string };
  after?: { event: SubAfterTraceEvent; clientHost: string };
}

function attemptOf(p: PendingAttempt): ConsumeAttempt {
  const after = p.after?.event;
  const code = after?.contextCode;
  return {
    requestId: p.before?.event.requestId ?? after?.requestId ?? "",
    clientHost: p.before?.clientHost ?? p.after?.clientHost ?? "",
    retryTimes: p.before?.event.retryTimes,
    beginTimestampMs: p.before?.event.timestampMs,
    endTimestampMs: after?.timestampMs,
    costTimeMs: after?.costTimeMs,
    status: after === undefined ? "pending" : status(after.success),
    returnType: code === undefined ? undefined : CONSUME_RETURN_TYPES[code],
  };
}

function groupStatus(attempts: readonly ConsumeAttempt[]): ConsumerGroupTrace["status"] {
  if (attempts.some((a) => a.status === "success")) return "success";
  if (attempts.some((a) => a.status === "pending")) return "pending";
  return "failed";
}

const attemptTime = (a: ConsumeAttempt) => a.beginTimestampMs ?? a.endTimestampMs ?? 0;

function consumerGroupsOf(events: readonly SourcedTraceEvent[]): ConsumerGroupTrace[] {
  const attempts = new Map<string, PendingAttempt>();
  const slot = (requestId: string, msgId: string) => {
    const id = `${requestId}\u0000${msgId}`;
    const found = attempts.get(id);
    if (found) return found;
    const created: PendingAttempt = { groupName: "" };
    attempts.set(id, created);
    return created;
  };
  for (const { event, clientHost } of events) {
    if (event.type === "SubBefore") {
      const a = slot(event.requestId, event.msgId);
      a.before = { event, clientHost };
      a.groupName = event.groupName;
    } else if (event.type === "SubAfter") {
      const a = slot(event.requestId, event.msgId);
      a.after = { event, clientHost };
      if (a.groupName === "") a.groupName = event.groupName ?? "";
    }
  }
  const groups = new Map<string, ConsumeAttempt[]>();
  for (const p of attempts.values()) {
    const list = groups.get(p.groupName) ?? [];
    list.push(attemptOf(p));
    groups.set(p.groupName, list);
  }
  return [...groups.entries()]
    .map(([groupName, list]) => {
      list.sort((a, b) => attemptTime(a) - attemptTime(b));
      const deliveries = 1 + Math.max(0, ...list.map((a) => a.retryTimes ?? 0));
      return { groupName, status: groupStatus(list), deliveries, attempts: list };
    })
    .sort((a, b) => a.groupName.localeCompare(b.groupName));
}

function transactionOf(e: EndTransactionTraceEvent, clientHost: string): TransactionTrace {
  return {
    producerGroup: e.groupName,
    clientHost,
    timestampMs: e.timestampMs,
    transactionId: e.transactionId,
    transactionState: e.transactionState,
    fromTransactionCheck: e.fromTransactionCheck,
    msgType: e.msgType,
  };
}

function recallOf(e: RecallTraceEvent, clientHost: string): RecallTrace {
  return { producerGroup: e.groupName, clientHost, timestampMs: e.timestampMs, status: status(e.success) };
}

function viewOf(msgId: string, events: readonly SourcedTraceEvent[]): MessageTraceView {
  const publishes: PublishTrace[] = [];
  const transactions: TransactionTrace[] = [];
  const recalls: RecallTrace[] = [];
  for (const { event, clientHost } of events) {
    if (event.type === "Pub") publishes.push(publishOf(event, clientHost));
    else if (event.type === "EndTransaction") transactions.push(transactionOf(event, clientHost));
    else if (event.type === "Recall") recalls.push(recallOf(event, clientHost));
  }
  publishes.sort((a, b) => a.timestampMs - b.timestampMs);
  transactions.sort((a, b) => a.timestampMs - b.timestampMs);
  recalls.sort((a, b) => a.timestampMs - b.timestampMs);
  const topical = events
    .map((s) => s.event)
    .find((e) => e.type === "Pub" || e.type === "EndTransaction" || e.type === "Recall");
  const described = topical?.type === "Recall" ? undefined : topical;
  return {
    msgId,
    topic: topical?.topic,
    tags: described?.tags,
    keys: described?.keys ?? events.map((s) => ("keys" in s.event ? s.event.keys : "")).find((k) => k !== ""),
    publishes,
    consumerGroups: consumerGroupsOf(events),
    transactions,
    recalls,
  };
}

/**
 * One view per traced msgId among the events that trace `idOrKey` (its msgId or one of its keys), in order
 * of first appearance.
 */
export function buildTraceViews(events: readonly SourcedTraceEvent[], idOrKey: string): MessageTraceView[] {
  const byMsgId = new Map<string, SourcedTraceEvent[]>();
  for (const s of events) {
    if (!eventMatches(s.event, idOrKey)) continue;
    const list = byMsgId.get(s.event.msgId) ?? [];
    list.push(s);
    byMsgId.set(s.event.msgId, list);
  }
  return [...byMsgId.entries()].map(([msgId, list]) => viewOf(msgId, list));
}
