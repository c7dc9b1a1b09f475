/**
 * fastjson's `Map<MessageQueue, V>` (protocol §3.2 item 3): the key is the MessageQueue bean written as a JSON
 * object, unquoted, fields sorted:
 *
 *   {{"brokerName":"b","queueId":0,"topic":"T"}:<V>,{"brokerName":"b","queueId":1,"topic":"T"}:<V>}
 *
 * This is not JSON, and Java accepts no other spelling for such a key, so the broker writes exactly this.
 * Reading (`parseFastjsonBeanKeys`): object-valued keys are turned into string keys holding the key's raw text,
 * then the rest goes through `parseFastjson` (standard JSON plus bare keys); `messageQueueEntries` decodes those
 * keys back into MessageQueues. Failures are StratusError("ILLEGAL_ARGUMENT") naming the body.
 */
import { StratusError } from "../../common/errors.js";
import { MAX_JSON_DEPTH } from "../../common/limits.js";
import { expectObject, fieldInt, fieldString, parseFastjson } from "../fastjson.js";
import { encodeMessageQueue, type MessageQueue } from "./json-body.js";

function malformed(what: string, why: string): StratusError {
  return new StratusError("ILLEGAL_ARGUMENT", `${what}: malformed JSON body (${why})`);
}

/** Index just past the string literal that starts at `start` (a `"`), or -1 when unterminated. */
function skipString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

/** Index just past the object that starts at `start` (a `{`), honouring strings; -1 when unterminated. */
function skipObject(text: string, start: number, depth: number, what: string): number {
  let level = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '"') {
      const end = skipString(text, i);
      if (end < 0) return -1;
      i = end - 1;
    } else if (c === "{" || c === "[") {
      level++;
      if (depth + level > MAX_JSON_DEPTH) throw malformed(what, `nested deeper than ${MAX_JSON_DEPTH}`);
    } else if (c === "}" || c === "]") {
      level--;
      if (level === 0) return i + 1;
    }
  }
  return -1;
}

/** [start, end) of every object-valued key in `text`. */
function findBeanKeys(text: string, what: string): Array<readonly [number, number]> {
  const keys: Array<readonly [number, number]> = [];
  const stack: string[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; ) {
    const c = text.charAt(i);
    if (c === '"') {
      const end = skipString(text, i);
      if (end < 0) throw malformed(what, "unterminated string");
      i = end;
      expectKey = false;
      continue;
    }
    if (c === "{" && expectKey) {
      const end = skipObject(text, i, stack.length, what);
      if (end < 0) throw malformed(what, "unterminated object key");
      keys.push([i, end]);
      i = end;
      expectKey = false;
      continue;
    }
    if (c === "{" || c === "[") {
      if (stack.length >= MAX_JSON_DEPTH) throw malformed(what, `nested deeper than ${MAX_JSON_DEPTH}`);
      stack.push(c);
      expectKey = c === "{";
    } else if (c === "}" || c === "]") {
      stack.pop();
      expectKey = false;
    } else if (c === ",") {
      expectKey = stack[stack.length - 1] === "{";
    } else if (!/\s/.test(c)) {
      expectKey = false;
    }
    i++;
  }
  return keys;
}

/** Parse fastjson output that may contain bean-valued keys; such keys come back as their raw JSON text. */
export function parseFastjsonBeanKeys(text: string, what: string): unknown {
  const keys = findBeanKeys(text, what);
  if (keys.length === 0) return parseFastjson(text, what);
  const parts: string[] = [];
  let at = 0;
  for (const [start, end] of keys) {
    parts.push(text.slice(at, start), JSON.stringify(text.slice(start, end)));
    at = end;
  }
  parts.push(text.slice(at));
  return parseFastjson(parts.join(""), what);
}

/** A MessageQueue bean (parsed JSON); every field is required. */
export function decodeMessageQueueValue(v: unknown, path: string): MessageQueue {
  const o = expectObject(v, path);
  return {
    topic: fieldString(o, "topic", path),
    brokerName: fieldString(o, "brokerName", path),
    queueId: fieldInt(o, "queueId", path),
  };
}

/** A MessageQueue from a key produced by `parseFastjsonBeanKeys`. */
export function decodeMessageQueueKey(key: string, path: string): MessageQueue {
  return decodeMessageQueueValue(parseFastjson(key, path), path);
}

/** The entries of a parsed `Map<MessageQueue, V>`; absent/null gives none. */
export function messageQueueEntries<V>(
  v: unknown,
  path: string,
  decodeValue: (value: unknown, path: string) => V,
): Array<[MessageQueue, V]> {
  if (v === undefined || v === null) return [];
  const o = expectObject(v, path);
  return Object.keys(o).map((key, i) => {
    const at = `${path}[${i}]`;
    return [decodeMessageQueueKey(key, `${at}.key`), decodeValue(o[key], `${at}.value`)];
  });
}

/** Java's MessageQueue ordering (compareTo): topic, then brokerName, then queueId. */
export function compareMessageQueue(a: MessageQueue, b: MessageQueue): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  if (a.brokerName !== b.brokerName) return a.brokerName < b.brokerName ? -1 : 1;
  return a.queueId - b.queueId;
}

/** `Map<MessageQueue, V>` in fastjson's shape; `encodeValue` returns each value's JSON text. */
export function encodeMessageQueueKeyedMap<V>(
  entries: ReadonlyArray<readonly [MessageQueue, V]>,
  encodeValue: (value: V) => string,
): string {
  const parts = entries.map(([mq, value]) => `${encodeMessageQueue(mq)}:${encodeValue(value)}`);
  return `{${parts.join(",")}}`;
}
