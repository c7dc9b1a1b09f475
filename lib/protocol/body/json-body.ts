/** Shared helpers for the JSON bodies clients send (fastjson output) and the ones the broker returns. */
import { StratusError } from "../../common/errors.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Parse a request body as JSON; anything malformed is a StratusError naming what was expected. */
export function parseJsonBody(body: Buffer | undefined, what: string): Record<string, Json> {
  if (!body || body.length === 0)
    throw new StratusError("ILLEGAL_ARGUMENT", `${what}: the request body is empty`);
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw new StratusError(
      "ILLEGAL_ARGUMENT",
      `${what}: the body is not valid JSON (${(e as Error).message})`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new StratusError("ILLEGAL_ARGUMENT", `${what}: the body must be a JSON object`);
  }
  return value as Record<string, Json>;
}

export function jsonString(v: Json | undefined, fallback = ""): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return fallback;
}

export function jsonNumber(v: Json | undefined, fallback = 0): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return fallback;
}

export function jsonBoolean(v: Json | undefined, fallback = false): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") return v.toLowerCase() === "true";
  return fallback;
}

export function jsonArray(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}

export function jsonObject(v: Json | undefined): Record<string, Json> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? v : {};
}

/** A MessageQueue as the Java bean serializes it (fields sorted: brokerName, queueId, topic). */
export interface MessageQueue {
  topic: string;
  brokerName: string;
  queueId: number;
}

export function encodeMessageQueue(mq: MessageQueue): string {
  return JSON.stringify({ brokerName: mq.brokerName, queueId: mq.queueId, topic: mq.topic });
}

export function decodeMessageQueue(v: Json | undefined): MessageQueue {
  const o = jsonObject(v);
  return { topic: jsonString(o.topic), brokerName: jsonString(o.brokerName), queueId: jsonNumber(o.queueId) };
}

/**
 * fastjson writes maps keyed by a bean (MessageQueue) with the bean's JSON as the key, unquoted:
 * {{"brokerName":"b","queueId":0,"topic":"T"}:{...}}. Java's parser needs exactly that shape.
 */
export function encodeMessageQueueMap(entries: ReadonlyArray<readonly [MessageQueue, string]>): string {
  return `{${entries.map(([mq, value]) => `${encodeMessageQueue(mq)}:${value}`).join(",")}}`;
}

/** Java's double in fastjson output: always with a fractional part. */
export function encodeDouble(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}
