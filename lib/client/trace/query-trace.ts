/**
 * `queryTrace`: what happened to one message, from the trace messages Java clients with trace enabled
 * write (protocol §10.6), the way `mqadmin queryMsgTraceById` finds them — QUERY_MESSAGE by key on the trace
 * topic (a trace message's KEYS are the traced msgIds and keys) — then folded into one view per message and
 * joined with where the broker stored it (QUERY_MESSAGE by UNIQ_KEY on the message's own topic).
 *
 * Given an offset message id (what the broker returns) that no trace names, the message is read with
 * VIEW_MESSAGE_BY_ID first and its client msgId (UNIQ_KEY) traced instead.
 */
import { isStratusError } from "../../common/errors.js";
import { MAX_TRACE_QUERY_MESSAGES } from "../../common/limits.js";
import { decodeSocketAddress } from "../../protocol/message-id.js";
import type { MessageExt } from "../../protocol/message-record.js";
import { AdminClient, type BrokerError, type QueriedMessage } from "../admin-client.js";
import { decodeTraceRecord, splitTraceRecords } from "./trace-data.js";
import { buildTraceViews, type MessageTraceView, type SourcedTraceEvent } from "./trace-view.js";

/** Apache TopicValidator.RMQ_SYS_TRACE_TOPIC, where clients write traces unless told otherwise. */
export const RMQ_SYS_TRACE_TOPIC = "RMQ_SYS_TRACE_TOPIC";

export interface QueryTraceOptions {
  /** Default RMQ_SYS_TRACE_TOPIC. */
  traceTopic?: string;
  /** Store-time range of the trace messages; default everything. */
  beginMs?: number;
  endMs?: number;
  /** Per request; default DEFAULT_INVOKE_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Look the traced message up on its broker (default true). */
  lookupStored?: boolean;
  /** Reuse a client (left open); otherwise one is made for the call and closed. */
  admin?: AdminClient;
}

/** Where and when the broker stored the message, from the message itself. */
export interface StoredMessage {
  brokerName: string;
  brokerAddr: string;
  topic: string;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  offsetMsgId: string;
  storeHost: string;
  storeTimestampMs: number;
  bornHost: string;
  bornTimestampMs: number;
  reconsumeTimes: number;
  bodyLength: number;
}

export interface MessageTrace extends MessageTraceView {
  /** Undefined when the lookup was off or the broker no longer has it. */
  stored?: StoredMessage | undefined;
}

export interface TraceQueryResult {
  query: string;
  traceTopic: string;
  /** The msgId traced when `query` was an offset message id that resolved to a message. */
  resolvedMsgId?: string | undefined;
  /** False when the NameServer has no route for the trace topic (no client has written traces there). */
  traceTopicRouted: boolean;
  /** Trace messages read. */
  traceMessages: number;
  /** Trace records that did not decode (counted, skipped). */
  malformedRecords: number;
  messages: MessageTrace[];
  brokerErrors: BrokerError[];
}

/** "ip:port" → "ip", as Java's getBornHostString shows a client. */
function hostOnly(address: string): string {
  const colon = address.lastIndexOf(":");
  return colon < 0 ? address : address.slice(0, colon);
}

function eventsOf(messages: readonly QueriedMessage[]): { events: SourcedTraceEvent[]; malformed: number } {
  const events: SourcedTraceEvent[] = [];
  let malformed = 0;
  for (const { message } of messages) {
    const clientHost = hostOnly(decodeSocketAddress(message.bornHost));
    let records: string[];
    try {
      records = splitTraceRecords(message.body);
    } catch (e) {
      if (!isStratusError(e)) throw e;
      malformed++;
      continue;
    }
    for (const record of records) {
      try {
        const event = decodeTraceRecord(record);
        if (event) events.push({ event, clientHost });
      } catch (e) {
        if (!isStratusError(e)) throw e;
        malformed++;
      }
    }
  }
  return { events, malformed };
}

function storedOf(q: QueriedMessage): StoredMessage {
  const m: MessageExt = q.message;
  return {
    brokerName: q.brokerName,
    brokerAddr: q.brokerAddr,
    topic: m.topic,
    queueId: m.queueId,
    queueOffset: m.queueOffset,
    commitLogOffset: m.commitLogOffset,
    offsetMsgId: m.offsetMsgId,
    storeHost: decodeSocketAddress(m.storeHost),
    storeTimestampMs: m.storeTimestamp,
    bornHost: decodeSocketAddress(m.bornHost),
    bornTimestampMs: m.bornTimestamp,
    reconsumeTimes: m.reconsumeTimes,
    bodyLength: m.body.length,
  };
}

async function lookupStored(admin: AdminClient, view: MessageTraceView): Promise<StoredMessage | undefined> {
  if (view.topic === undefined) return undefined;
  try {
    const found = await admin.queryMessage(view.topic, view.msgId, { uniqueKey: true });
    const first = found.messages[0];
    return first === undefined ? undefined : storedOf(first);
  } catch (e) {
    if (!isStratusError(e)) throw e;
    return undefined;
  }
}

/** The client msgId of the message an offset message id points at, if it is one and the broker has it. */
async function resolveOffsetMsgId(admin: AdminClient, id: string): Promise<string | undefined> {
  try {
    const m = await admin.viewMessage(id);
    return m !== undefined && m.msgId !== id ? m.msgId : undefined;
  } catch (e) {
    if (!isStratusError(e)) throw e;
    return undefined;
  }
}

async function readTraces(admin: AdminClient, key: string, traceTopic: string, options: QueryTraceOptions) {
  return admin.queryMessage(traceTopic, key, {
    maxNum: MAX_TRACE_QUERY_MESSAGES,
    beginMs: options.beginMs,
    endMs: options.endMs,
  });
}

/**
 * Every trace of the message(s) `idOrKey` names (a client msgId, an offset msgId or a key). Nothing found
 * is an empty `messages`; an unreachable NameServer throws (CONNECTION_CLOSED / TIMEOUT).
 */
export async function queryTrace(
  namesrvAddr: string,
  idOrKey: string,
  options: QueryTraceOptions = {},
): Promise<TraceQueryResult> {
  const admin = options.admin ?? new AdminClient({ namesrvAddr, timeoutMs: options.timeoutMs });
  const traceTopic = options.traceTopic ?? RMQ_SYS_TRACE_TOPIC;
  try {
    let key = idOrKey;
    let traces = await readTraces(admin, key, traceTopic, options);
    let decoded = eventsOf(traces.messages);
    let views = buildTraceViews(decoded.events, key);
    let resolvedMsgId: string | undefined;
    if (views.length === 0 && traces.routed) {
      resolvedMsgId = await resolveOffsetMsgId(admin, idOrKey);
      if (resolvedMsgId !== undefined) {
        key = resolvedMsgId;
        traces = await readTraces(admin, key, traceTopic, options);
        decoded = eventsOf(traces.messages);
        views = buildTraceViews(decoded.events, key);
      }
    }
    const messages: MessageTrace[] = [];
    for (const view of views) {
      const stored = options.lookupStored === false ? undefined : await lookupStored(admin, view);
      messages.push({ ...view, stored });
    }
    return {
      query: idOrKey,
      traceTopic,
      resolvedMsgId,
      traceTopicRouted: traces.routed,
      traceMessages: traces.messages.length,
      malformedRecords: decoded.malformed,
      messages,
      brokerErrors: traces.brokerErrors,
    };
  } finally {
    if (options.admin === undefined) admin.close();
  }
}
