/**
 * The body of a message-trace message (protocol §10.6): what Java clients with trace enabled write to
 * RMQ_SYS_TRACE_TOPIC (or a custom trace topic) and what `mqadmin queryMsgTraceById` reads back.
 *
 * Layout (UTF-8 text, no length prefixes):
 *
 *   body   = record*                       one record per traced message and hook call
 *   record = field (0x01 field)* 0x02      0x01 = CONTENT_SPLITOR, 0x02 = FIELD_SPLITOR (terminator)
 *
 * Field 0 names the record type; the rest are positional (indexes below, Java's order):
 *
 *   Pub            type timeStamp regionId groupName topic msgId tags keys storeHost bodyLength costTime
 *                  msgType [offsetMsgId] success [clientHost]      13, 14 or 15+ fields
 *   SubBefore      type timeStamp regionId groupName requestId msgId retryTimes keys              8 fields
 *   SubAfter       type requestId msgId costTime success keys [contextCode [timeStamp [groupName]]]
 *                  6..9 fields (4.9.x writes 8, 5.x 9, 5.x in CLOUD access channel 7)
 *   EndTransaction type timeStamp regionId groupName topic msgId tags keys storeHost msgType
 *                  transactionId transactionState fromTransactionCheck                        13 fields
 *   Recall (5.x)   type timeStamp regionId groupName topic msgId success                          7 fields
 *
 * Numbers are Java decimal int/long (optional sign), booleans Java's Boolean.parseBoolean (only "true",
 * any case, is true), msgType is the MessageType ordinal, transactionState a LocalTransactionState name.
 * A null Java string is written as the text "null" (a message without tags or keys): kept verbatim here.
 * Records of an unknown type are skipped, as Java's decoder does; empty records (doubled 0x02) too.
 * Fields past the last known one are ignored. Pure functions; no I/O.
 */
import { StratusError } from "../../common/errors.js";
import { MAX_TRACE_BODY_BYTES } from "../../common/limits.js";
import {
  type EndTransactionTraceEvent,
  LOCAL_TRANSACTION_STATES,
  type LocalTransactionState,
  MESSAGE_TYPES,
  type MessageType,
  type PubTraceEvent,
  type RecallTraceEvent,
  type SubAfterTraceEvent,
  type SubBeforeTraceEvent,
  type TraceEvent,
  type TraceType,
} from "./trace-event.js";

export const CONTENT_SPLITOR = "\u0001";
export const FIELD_SPLITOR = "\u0002";

export const PUB = {
  TIME_STAMP: 1,
  REGION_ID: 2,
  GROUP_NAME: 3,
  TOPIC: 4,
  MSG_ID: 5,
  TAGS: 6,
  KEYS: 7,
  STORE_HOST: 8,
  BODY_LENGTH: 9,
  COST_TIME: 10,
  MSG_TYPE: 11,
  /** 13 fields: success here and no offsetMsgId; 14+: offsetMsgId here, success next. */
  OFFSET_MSG_ID_OR_SUCCESS: 12,
  SUCCESS: 13,
  CLIENT_HOST: 14,
  MIN_FIELDS: 13,
} as const;

export const SUB_BEFORE = {
  TIME_STAMP: 1,
  REGION_ID: 2,
  GROUP_NAME: 3,
  REQUEST_ID: 4,
  MSG_ID: 5,
  RETRY_TIMES: 6,
  KEYS: 7,
  MIN_FIELDS: 8,
} as const;

export const SUB_AFTER = {
  REQUEST_ID: 1,
  MSG_ID: 2,
  COST_TIME: 3,
  SUCCESS: 4,
  KEYS: 5,
  CONTEXT_CODE: 6,
  TIME_STAMP: 7,
  GROUP_NAME: 8,
  MIN_FIELDS: 6,
} as const;

export const END_TRANSACTION = {
  TIME_STAMP: 1,
  REGION_ID: 2,
  GROUP_NAME: 3,
  TOPIC: 4,
  MSG_ID: 5,
  TAGS: 6,
  KEYS: 7,
  STORE_HOST: 8,
  MSG_TYPE: 9,
  TRANSACTION_ID: 10,
  TRANSACTION_STATE: 11,
  FROM_TRANSACTION_CHECK: 12,
  MIN_FIELDS: 13,
} as const;

export const RECALL = {
  TIME_STAMP: 1,
  REGION_ID: 2,
  GROUP_NAME: 3,
  TOPIC: 4,
  MSG_ID: 5,
  SUCCESS: 6,
  MIN_FIELDS: 7,
} as const;

function malformed(what: string): StratusError {
  return new StratusError("RECORD_MALFORMED", `trace record: ${what}`);
}

const JAVA_INTEGER = /^[+-]?\d{1,20}$/;
const INT_MIN = -0x8000_0000;
const INT_MAX = 0x7fff_ffff;

/** Java Long.parseLong limited to the safe-integer range (timestamps are far inside it). */
function parseLong(text: string, name: string): number {
  const n = JAVA_INTEGER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw malformed(`${name} is not a long: ${JSON.stringify(text.slice(0, 40))}`);
  return n;
}

/** Java Integer.parseInt. */
function parseInt32(text: string, name: string): number {
  const n = JAVA_INTEGER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < INT_MIN || n > INT_MAX)
    throw malformed(`${name} is not an int: ${JSON.stringify(text.slice(0, 40))}`);
  return n;
}

/** Java Boolean.parseBoolean: "true" in any case is true, anything else false. */
function parseBoolean(text: string): boolean {
  return text.toLowerCase() === "true";
}

function parseMsgType(text: string): MessageType {
  const type = MESSAGE_TYPES[parseInt32(text, "msgType")];
  if (type === undefined) throw malformed(`msgType ordinal ${text} is not a MessageType`);
  return type;
}

function parseTransactionState(text: string): LocalTransactionState {
  const state = LOCAL_TRANSACTION_STATES.find((s) => s === text);
  if (state === undefined)
    throw malformed(`transactionState ${JSON.stringify(text.slice(0, 40))} is not a LocalTransactionState`);
  return state;
}

/** Field `i`, or RECORD_MALFORMED naming the type when the record is too short. */
function fieldsOf(record: string, type: string, minFields: number): string[] {
  const fields = record.split(CONTENT_SPLITOR);
  if (fields.length < minFields)
    throw malformed(`${type} has ${fields.length} fields, needs at least ${minFields}`);
  return fields;
}

function at(fields: readonly string[], i: number): string {
  return fields[i] ?? "";
}

function decodePub(record: string): PubTraceEvent {
  const f = fieldsOf(record, "Pub", PUB.MIN_FIELDS);
  const short = f.length === PUB.MIN_FIELDS;
  return {
    type: "Pub",
    timestampMs: parseLong(at(f, PUB.TIME_STAMP), "timeStamp"),
    regionId: at(f, PUB.REGION_ID),
    groupName: at(f, PUB.GROUP_NAME),
    topic: at(f, PUB.TOPIC),
    msgId: at(f, PUB.MSG_ID),
    tags: at(f, PUB.TAGS),
    keys: at(f, PUB.KEYS),
    storeHost: at(f, PUB.STORE_HOST),
    bodyLength: parseInt32(at(f, PUB.BODY_LENGTH), "bodyLength"),
    costTimeMs: parseInt32(at(f, PUB.COST_TIME), "costTime"),
    msgType: parseMsgType(at(f, PUB.MSG_TYPE)),
    offsetMsgId: short ? undefined : at(f, PUB.OFFSET_MSG_ID_OR_SUCCESS),
    success: parseBoolean(at(f, short ? PUB.OFFSET_MSG_ID_OR_SUCCESS : PUB.SUCCESS)),
    clientHost: f.length > PUB.CLIENT_HOST ? at(f, PUB.CLIENT_HOST) : undefined,
  };
}

function decodeSubBefore(record: string): SubBeforeTraceEvent {
  const f = fieldsOf(record, "SubBefore", SUB_BEFORE.MIN_FIELDS);
  return {
    type: "SubBefore",
    timestampMs: parseLong(at(f, SUB_BEFORE.TIME_STAMP), "timeStamp"),
    regionId: at(f, SUB_BEFORE.REGION_ID),
    groupName: at(f, SUB_BEFORE.GROUP_NAME),
    requestId: at(f, SUB_BEFORE.REQUEST_ID),
    msgId: at(f, SUB_BEFORE.MSG_ID),
    retryTimes: parseInt32(at(f, SUB_BEFORE.RETRY_TIMES), "retryTimes"),
    keys: at(f, SUB_BEFORE.KEYS),
  };
}

function decodeSubAfter(record: string): SubAfterTraceEvent {
  const f = fieldsOf(record, "SubAfter", SUB_AFTER.MIN_FIELDS);
  const has = (i: number) => f.length > i;
  return {
    type: "SubAfter",
    requestId: at(f, SUB_AFTER.REQUEST_ID),
    msgId: at(f, SUB_AFTER.MSG_ID),
    costTimeMs: parseInt32(at(f, SUB_AFTER.COST_TIME), "costTime"),
    success: parseBoolean(at(f, SUB_AFTER.SUCCESS)),
    keys: at(f, SUB_AFTER.KEYS),
    contextCode: has(SUB_AFTER.CONTEXT_CODE)
      ? parseInt32(at(f, SUB_AFTER.CONTEXT_CODE), "contextCode")
      : undefined,
    timestampMs: has(SUB_AFTER.TIME_STAMP) ? parseLong(at(f, SUB_AFTER.TIME_STAMP), "timeStamp") : undefined,
    groupName: has(SUB_AFTER.GROUP_NAME) ? at(f, SUB_AFTER.GROUP_NAME) : undefined,
  };
}

function decodeEndTransaction(record: string): EndTransactionTraceEvent {
  const f = fieldsOf(record, "EndTransaction", END_TRANSACTION.MIN_FIELDS);
  return {
    type: "EndTransaction",
    timestampMs: parseLong(at(f, END_TRANSACTION.TIME_STAMP), "timeStamp"),
    regionId: at(f, END_TRANSACTION.REGION_ID),
    groupName: at(f, END_TRANSACTION.GROUP_NAME),
    topic: at(f, END_TRANSACTION.TOPIC),
    msgId: at(f, END_TRANSACTION.MSG_ID),
    tags: at(f, END_TRANSACTION.TAGS),
    keys: at(f, END_TRANSACTION.KEYS),
    storeHost: at(f, END_TRANSACTION.STORE_HOST),
    msgType: parseMsgType(at(f, END_TRANSACTION.MSG_TYPE)),
    transactionId: at(f, END_TRANSACTION.TRANSACTION_ID),
    transactionState: parseTransactionState(at(f, END_TRANSACTION.TRANSACTION_STATE)),
    fromTransactionCheck: parseBoolean(at(f, END_TRANSACTION.FROM_TRANSACTION_CHECK)),
  };
}

function decodeRecall(record: string): RecallTraceEvent {
  const f = fieldsOf(record, "Recall", RECALL.MIN_FIELDS);
  return {
    type: "Recall",
    timestampMs: parseLong(at(f, RECALL.TIME_STAMP), "timeStamp"),
    regionId: at(f, RECALL.REGION_ID),
    groupName: at(f, RECALL.GROUP_NAME),
    topic: at(f, RECALL.TOPIC),
    msgId: at(f, RECALL.MSG_ID),
    success: parseBoolean(at(f, RECALL.SUCCESS)),
  };
}

const DECODERS: Readonly<Record<TraceType, (record: string) => TraceEvent>> = {
  Pub: decodePub,
  SubBefore: decodeSubBefore,
  SubAfter: decodeSubAfter,
  EndTransaction: decodeEndTransaction,
  Recall: decodeRecall,
};

/**
 * One record (without its 0x02 terminator). Returns undefined for an empty record or an unknown type
 * (skipped, as Java does); throws RECORD_MALFORMED when a known type has too few or unparsable fields.
 */
export function decodeTraceRecord(record: string): TraceEvent | undefined {
  const end = record.indexOf(CONTENT_SPLITOR);
  const type = end < 0 ? record : record.slice(0, end);
  const decode = Object.hasOwn(DECODERS, type) ? DECODERS[type as TraceType] : undefined;
  return decode?.(record);
}

/** The body's records as text, terminators removed, empty records dropped. LIMIT_EXCEEDED past MAX_TRACE_BODY_BYTES. */
export function splitTraceRecords(body: Buffer): string[] {
  if (body.length > MAX_TRACE_BODY_BYTES)
    throw new StratusError(
      "LIMIT_EXCEEDED",
      `trace body of ${body.length} bytes exceeds MAX_TRACE_BODY_BYTES (${MAX_TRACE_BODY_BYTES})`,
    );
  return body
    .toString("utf8")
    .split(FIELD_SPLITOR)
    .filter((r) => r !== "");
}

/** Every record of a trace body; throws RECORD_MALFORMED on the first malformed one. */
export function decodeTraceData(body: Buffer): TraceEvent[] {
  const events: TraceEvent[] = [];
  for (const record of splitTraceRecords(body)) {
    const event = decodeTraceRecord(record);
    if (event) events.push(event);
  }
  return events;
}

function checkField(value: string, name: string): string {
  if (value.includes(CONTENT_SPLITOR) || value.includes(FIELD_SPLITOR))
    throw new StratusError("ILLEGAL_ARGUMENT", `trace field ${name} contains a 0x01/0x02 separator`);
  return value;
}

function ordinal<T extends string>(values: readonly T[], value: T): string {
  return String(values.indexOf(value));
}

/** The fields of one event in Java's order (see the layout above). */
function fieldsFor(e: TraceEvent): (string | number | boolean)[] {
  switch (e.type) {
    case "Pub": {
      const head = [e.type, e.timestampMs, e.regionId, e.groupName, e.topic, e.msgId, e.tags, e.keys];
      const tail = [e.storeHost, e.bodyLength, e.costTimeMs, ordinal(MESSAGE_TYPES, e.msgType)];
      if (e.offsetMsgId === undefined && e.clientHost === undefined) return [...head, ...tail, e.success];
      const withId = [...head, ...tail, e.offsetMsgId ?? "", e.success];
      return e.clientHost === undefined ? withId : [...withId, e.clientHost];
    }
    case "SubBefore":
      return [e.type, e.timestampMs, e.regionId, e.groupName, e.requestId, e.msgId, e.retryTimes, e.keys];
    case "SubAfter": {
      const out = [e.type, e.requestId, e.msgId, e.costTimeMs, e.success, e.keys];
      // Optional trailing fields: write up to the last one present, filling gaps with Java's defaults.
      if (e.groupName !== undefined) return [...out, e.contextCode ?? 0, e.timestampMs ?? 0, e.groupName];
      if (e.timestampMs !== undefined) return [...out, e.contextCode ?? 0, e.timestampMs];
      return e.contextCode === undefined ? out : [...out, e.contextCode];
    }
    case "EndTransaction":
      return [
        e.type,
        e.timestampMs,
        e.regionId,
        e.groupName,
        e.topic,
        e.msgId,
        e.tags,
        e.keys,
        e.storeHost,
        ordinal(MESSAGE_TYPES, e.msgType),
        e.transactionId,
        e.transactionState,
        e.fromTransactionCheck,
      ];
    case "Recall":
      return [e.type, e.timestampMs, e.regionId, e.groupName, e.topic, e.msgId, e.success];
  }
}

/** One record with its 0x02 terminator. ILLEGAL_ARGUMENT if a string field holds a separator. */
export function encodeTraceRecord(event: TraceEvent): string {
  const fields = fieldsFor(event).map((v, i) =>
    typeof v === "string" ? checkField(v, `${event.type}[${i}]`) : String(v),
  );
  return `${fields.join(CONTENT_SPLITOR)}${FIELD_SPLITOR}`;
}

/** A trace message body holding `events` in order. */
export function encodeTraceData(events: readonly TraceEvent[]): Buffer {
  return Buffer.from(events.map(encodeTraceRecord).join(""), "utf8");
}

/**
 * The KEYS a trace message carrying `events` is indexed by: every traced msgId and each of its keys
 * (space-separated, as 5.x writes them), without duplicates, in first-seen order.
 */
export function traceMessageKeys(events: readonly TraceEvent[]): string[] {
  const keys = new Set<string>();
  for (const e of events) {
    keys.add(e.msgId);
    if ("keys" in e) for (const k of e.keys.split(" ")) if (k !== "") keys.add(k);
  }
  return [...keys];
}
