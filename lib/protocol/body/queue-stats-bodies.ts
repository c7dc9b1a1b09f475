/**
 * Per-queue admin bodies keyed or tagged by MessageQueue, written exactly as Java's fastjson writes them
 * (MessageQueue bean keys unquoted, see message-queue-map.ts; doubles always with a fraction):
 *
 * TopicStatsTable (GET_TOPIC_STATS_INFO 202; 5.x adds topicPutTps, which 4.9 ignores):
 *   {"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"lastUpdateTimestamp":ms,"maxOffset":9,"minOffset":0}},
 *    "topicPutTps":0.0}
 * ConsumeStats (GET_CONSUME_STATS 208):
 *   {"consumeTps":0.0,"offsetTable":{{mq}:{"brokerOffset":10,"consumerOffset":8,"lastTimestamp":ms,"pullOffset":8}}}
 *   (4.9 has no pullOffset; its parser ignores the field.)
 * ResetOffsetBody (INVOKE_BROKER_TO_RESET_OFFSET 222 response, RESET_CONSUMER_CLIENT_OFFSET 220 body):
 *   {"offsetTable":{{mq}:5}}
 * ResetOffsetBodyForC (the same for CPP clients): {"offsetTable":[{"brokerName":"b","offset":5,"queueId":0,"topic":"T"}]}
 * QueryConsumeTimeSpanBody (QUERY_CONSUME_TIME_SPAN 303):
 *   {"consumeTimeSpanSet":[{"consumeTimeStamp":ms,"consumeTimeStampStr":"yyyy-MM-dd#HH:mm:ss:SSS","delayTime":ms,
 *     "maxTimeStamp":ms,"maxTimeStampStr":..,"messageQueue":{mq},"minTimeStamp":ms,"minTimeStampStr":..}]}
 *   The *Str fields are getters fastjson writes (Java formats them in the JVM's zone; Stratus writes UTC).
 */
import { expectObject, fieldLong, optionalArray, parseFastjson, toFastjson } from "../fastjson.js";
import { encodeDouble, type MessageQueue } from "./json-body.js";
import {
  decodeMessageQueueValue,
  encodeMessageQueueKeyedMap,
  messageQueueEntries,
  parseFastjsonBeanKeys,
} from "./message-queue-map.js";

export interface TopicOffset {
  minOffset: number;
  maxOffset: number;
  lastUpdateTimestamp: number;
}

export interface OffsetWrapper {
  brokerOffset: number;
  consumerOffset: number;
  pullOffset: number;
  lastTimestamp: number;
}

export interface ConsumeStats {
  offsetTable: Array<[MessageQueue, OffsetWrapper]>;
  consumeTps: number;
}

export interface QueueTimeSpan {
  messageQueue: MessageQueue;
  minTimeStamp: number;
  maxTimeStamp: number;
  consumeTimeStamp: number;
  delayTime: number;
}

function parseBeanKeyed(buf: Buffer, what: string): Readonly<Record<string, unknown>> {
  return expectObject(parseFastjsonBeanKeys(buf.toString("utf8"), what), what);
}

/** A Java double property: a JSON number (fraction optional); absent gives 0. */
function fieldDouble(o: Readonly<Record<string, unknown>>, key: string, path: string): number {
  const v = o[key];
  if (v === undefined || v === null) return 0;
  if (typeof v === "number" && Number.isFinite(v)) return v;
  return fieldLong({ [key]: v }, key, path);
}

/** Java's double text for a finite value; anything else is written as 0.0. */
function doubleText(v: number): string {
  return Number.isFinite(v) ? encodeDouble(v) : "0.0";
}

export interface TopicStatsTable {
  offsetTable: Array<[MessageQueue, TopicOffset]>;
  /** 5.x: the topic's put TPS (older parsers ignore it). */
  topicPutTps: number;
}

export function encodeTopicStatsTable(stats: TopicStatsTable): Buffer {
  const table = encodeMessageQueueKeyedMap(stats.offsetTable, (t) =>
    toFastjson({
      lastUpdateTimestamp: t.lastUpdateTimestamp,
      maxOffset: t.maxOffset,
      minOffset: t.minOffset,
    }),
  );
  return Buffer.from(`{"offsetTable":${table},"topicPutTps":${doubleText(stats.topicPutTps)}}`, "utf8");
}

export function decodeTopicStatsTable(buf: Buffer, what = "TopicStatsTable"): TopicStatsTable {
  const o = parseBeanKeyed(buf, what);
  const offsetTable = messageQueueEntries(o.offsetTable, `${what}.offsetTable`, (v, path) => {
    const t = expectObject(v, path);
    return {
      minOffset: fieldLong(t, "minOffset", path, 0),
      maxOffset: fieldLong(t, "maxOffset", path, 0),
      lastUpdateTimestamp: fieldLong(t, "lastUpdateTimestamp", path, 0),
    };
  });
  return { offsetTable, topicPutTps: fieldDouble(o, "topicPutTps", `${what}.topicPutTps`) };
}

export function encodeConsumeStats(stats: ConsumeStats): Buffer {
  const table = encodeMessageQueueKeyedMap(stats.offsetTable, (w) =>
    toFastjson({
      brokerOffset: w.brokerOffset,
      consumerOffset: w.consumerOffset,
      lastTimestamp: w.lastTimestamp,
      pullOffset: w.pullOffset,
    }),
  );
  return Buffer.from(`{"consumeTps":${doubleText(stats.consumeTps)},"offsetTable":${table}}`, "utf8");
}

export function decodeConsumeStats(buf: Buffer, what = "ConsumeStats"): ConsumeStats {
  const o = parseBeanKeyed(buf, what);
  const offsetTable = messageQueueEntries(o.offsetTable, `${what}.offsetTable`, (v, path) => {
    const w = expectObject(v, path);
    return {
      brokerOffset: fieldLong(w, "brokerOffset", path, 0),
      consumerOffset: fieldLong(w, "consumerOffset", path, 0),
      pullOffset: fieldLong(w, "pullOffset", path, 0),
      lastTimestamp: fieldLong(w, "lastTimestamp", path, 0),
    };
  });
  return { offsetTable, consumeTps: fieldDouble(o, "consumeTps", `${what}.consumeTps`) };
}

export function encodeResetOffsetBody(offsetTable: ReadonlyArray<readonly [MessageQueue, number]>): Buffer {
  const table = encodeMessageQueueKeyedMap(offsetTable, (offset) => toFastjson(offset));
  return Buffer.from(`{"offsetTable":${table}}`, "utf8");
}

export function decodeResetOffsetBody(buf: Buffer, what = "ResetOffsetBody"): Array<[MessageQueue, number]> {
  return messageQueueEntries(parseBeanKeyed(buf, what).offsetTable, `${what}.offsetTable`, (v, path) =>
    fieldLong({ offset: v }, "offset", path),
  );
}

export function encodeResetOffsetBodyForC(
  offsetTable: ReadonlyArray<readonly [MessageQueue, number]>,
): Buffer {
  const list = offsetTable.map(([mq, offset]) => ({
    brokerName: mq.brokerName,
    offset,
    queueId: mq.queueId,
    topic: mq.topic,
  }));
  return Buffer.from(toFastjson({ offsetTable: list }), "utf8");
}

export function decodeResetOffsetBodyForC(
  buf: Buffer,
  what = "ResetOffsetBodyForC",
): Array<[MessageQueue, number]> {
  const o = expectObject(parseFastjson(buf.toString("utf8"), what), what);
  return (optionalArray(o.offsetTable, `${what}.offsetTable`) ?? []).map((v, i) => {
    const path = `${what}.offsetTable[${i}]`;
    const e = expectObject(v, path);
    return [decodeMessageQueueValue(e, path), fieldLong(e, "offset", path)];
  });
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** UtilAll.YYYY_MM_DD_HH_MM_SS_SSS ("yyyy-MM-dd#HH:mm:ss:SSS"), in UTC. */
export function formatTimeSpanDate(ms: number): string {
  const d = new Date(Number.isFinite(ms) ? ms : 0);
  if (Number.isNaN(d.getTime())) return "";
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  const time = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return `${date}#${time}:${pad(d.getUTCMilliseconds(), 3)}`;
}

function queueTimeSpanBean(s: QueueTimeSpan): Record<string, unknown> {
  return {
    consumeTimeStamp: s.consumeTimeStamp,
    consumeTimeStampStr: formatTimeSpanDate(s.consumeTimeStamp),
    delayTime: s.delayTime,
    maxTimeStamp: s.maxTimeStamp,
    maxTimeStampStr: formatTimeSpanDate(s.maxTimeStamp),
    messageQueue: {
      brokerName: s.messageQueue.brokerName,
      queueId: s.messageQueue.queueId,
      topic: s.messageQueue.topic,
    },
    minTimeStamp: s.minTimeStamp,
    minTimeStampStr: formatTimeSpanDate(s.minTimeStamp),
  };
}

export function encodeQueryConsumeTimeSpanBody(spans: readonly QueueTimeSpan[]): Buffer {
  return Buffer.from(toFastjson({ consumeTimeSpanSet: spans.map(queueTimeSpanBean) }), "utf8");
}

export function decodeQueryConsumeTimeSpanBody(
  buf: Buffer,
  what = "QueryConsumeTimeSpanBody",
): QueueTimeSpan[] {
  const o = expectObject(parseFastjson(buf.toString("utf8"), what), what);
  return (optionalArray(o.consumeTimeSpanSet, `${what}.consumeTimeSpanSet`) ?? []).map((v, i) => {
    const path = `${what}.consumeTimeSpanSet[${i}]`;
    const s = expectObject(v, path);
    return {
      messageQueue: decodeMessageQueueValue(s.messageQueue, `${path}.messageQueue`),
      minTimeStamp: fieldLong(s, "minTimeStamp", path, 0),
      maxTimeStamp: fieldLong(s, "maxTimeStamp", path, 0),
      consumeTimeStamp: fieldLong(s, "consumeTimeStamp", path, 0),
      delayTime: fieldLong(s, "delayTime", path, 0),
    };
  });
}
