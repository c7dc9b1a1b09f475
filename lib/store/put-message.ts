/**
 * The checks and encoding a put goes through before it reaches the writer (Apache CommitLog.putMessage and
 * MessageExtEncoder): an illegal message is an expected outcome (a status), not an error.
 */
import { isStratusError } from "../common/errors.js";
import { MAX_BATCH_MESSAGES, MAX_MESSAGE_BODY_BYTES, MAX_PROPERTIES_BYTES } from "../common/limits.js";
import {
  encodeMessageRecordInto,
  type MessageExtBrokerInner,
  messageRecordLayout,
  type RecordLayout,
} from "../protocol/message-record.js";
import type { PutMessageStatus } from "./message-store.js";
import type { StagingBuffer } from "./staging-buffer.js";

/** Longest topic the store writes (V2 records carry a 2-byte length). */
export const MAX_STORED_TOPIC_BYTES = 32_767;

/** A checked put, its records encoded back to back at [from, from + total) of the writer's staging buffer. */
export interface EncodedPut {
  msgs: MessageExtBrokerInner[];
  sizes: number[];
  from: number;
  total: number;
  storeTimestamp: number;
}

export type Encoded = { ok: true; put: EncodedPut } | { ok: false; status: PutMessageStatus; remark: string };

function illegal(status: PutMessageStatus, remark: string): Encoded {
  return { ok: false, status, remark };
}

/** Topics already checked (bounded; most brokers see few topics). */
const storableTopics = new Set<string>();
const STORABLE_TOPIC_CACHE_SIZE = 10_000;

/** A topic the store can use as a directory name. */
export function isStorableTopic(topic: string): boolean {
  if (storableTopics.has(topic)) return true;
  const ok = checkTopic(topic);
  if (ok) {
    if (storableTopics.size >= STORABLE_TOPIC_CACHE_SIZE) storableTopics.clear();
    storableTopics.add(topic);
  }
  return ok;
}

function checkTopic(topic: string): boolean {
  return (
    topic.length > 0 &&
    topic !== "." &&
    topic !== ".." &&
    !/[/\\\0]/.test(topic) &&
    Buffer.byteLength(topic, "utf8") <= MAX_STORED_TOPIC_BYTES
  );
}

function check(msg: MessageExtBrokerInner): Encoded | undefined {
  if (!isStorableTopic(msg.topic))
    return illegal("MESSAGE_ILLEGAL", `illegal topic ${JSON.stringify(msg.topic)}`);
  if (!Number.isInteger(msg.queueId) || msg.queueId < 0 || msg.queueId > 0x7fffffff)
    return illegal("MESSAGE_ILLEGAL", `illegal queueId ${msg.queueId}`);
  if (msg.body.length > MAX_MESSAGE_BODY_BYTES)
    return illegal(
      "MESSAGE_ILLEGAL",
      `message body of ${msg.body.length} bytes exceeds ${MAX_MESSAGE_BODY_BYTES}`,
    );
  // UTF-8 takes at most 3 bytes per UTF-16 unit: only long strings need their byte length measured
  const props = msg.propertiesString;
  if (props.length * 3 > MAX_PROPERTIES_BYTES && Buffer.byteLength(props) > MAX_PROPERTIES_BYTES)
    return illegal("PROPERTIES_SIZE_EXCEEDED", `properties exceed ${MAX_PROPERTIES_BYTES} bytes`);
  return undefined;
}

/**
 * Checks one put (a single message, or a batch for one topic-queue) and encodes its records into `staging`
 * (queue and physical offsets 0 until the writer patches them).
 */
export function encodePut(
  msgs: MessageExtBrokerInner[],
  storeTimestamp: number,
  fits: (n: number) => boolean,
  staging: StagingBuffer,
): Encoded {
  const first = msgs[0];
  if (!first) return illegal("MESSAGE_ILLEGAL", "empty batch");
  if (msgs.length > MAX_BATCH_MESSAGES) return illegal("MESSAGE_ILLEGAL", `batch of ${msgs.length} messages`);
  const layouts: RecordLayout[] = [];
  let total = 0;
  for (const msg of msgs) {
    const bad = check(msg);
    if (bad) return bad;
    if (msg.topic !== first.topic || msg.queueId !== first.queueId)
      return illegal("MESSAGE_ILLEGAL", "a batch must target one topic and queue");
    try {
      const layout = messageRecordLayout(msg);
      layouts.push(layout);
      total += layout.total;
    } catch (e) {
      if (isStratusError(e)) return illegal("MESSAGE_ILLEGAL", e.message);
      throw e;
    }
  }
  if (!fits(total)) return illegal("MESSAGE_ILLEGAL", `${total} bytes do not fit one CommitLog file`);
  const { buf, pos } = staging.reserve(total);
  let at = pos;
  const sizes = layouts.map((layout, i) => {
    encodeMessageRecordInto(msgs[i] as MessageExtBrokerInner, layout, buf, at, 0, 0, storeTimestamp);
    at += layout.total;
    return layout.total;
  });
  return { ok: true, put: { msgs, sizes, from: pos, total, storeTimestamp } };
}
