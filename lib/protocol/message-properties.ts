/**
 * Message properties string (protocol §8.4).
 *
 * Layout (UTF-8 text):
 *   name 0x01 value 0x02 name 0x01 value 0x02 ...
 * RocketMQ 5.x writes 0x02 after every pair, 4.9.1–4.9.8 omit it after the last pair. Decoding splits on 0x02,
 * then on the first 0x01 of each segment; segments with an empty name or an empty value are dropped, as Java does.
 */

/** Property names, spelled as in Apache's MessageConst. */
export const MessageConst = {
  PROPERTY_KEYS: "KEYS",
  PROPERTY_TAGS: "TAGS",
  PROPERTY_WAIT_STORE_MSG_OK: "WAIT",
  PROPERTY_DELAY_TIME_LEVEL: "DELAY",
  PROPERTY_RETRY_TOPIC: "RETRY_TOPIC",
  PROPERTY_REAL_TOPIC: "REAL_TOPIC",
  PROPERTY_REAL_QUEUE_ID: "REAL_QID",
  PROPERTY_TRANSACTION_PREPARED: "TRAN_MSG",
  PROPERTY_PRODUCER_GROUP: "PGROUP",
  PROPERTY_MIN_OFFSET: "MIN_OFFSET",
  PROPERTY_MAX_OFFSET: "MAX_OFFSET",
  PROPERTY_BUYER_ID: "BUYER_ID",
  PROPERTY_ORIGIN_MESSAGE_ID: "ORIGIN_MESSAGE_ID",
  PROPERTY_TRANSFER_FLAG: "TRANSFER_FLAG",
  PROPERTY_CORRECTION_FLAG: "CORRECTION_FLAG",
  PROPERTY_MQ2_FLAG: "MQ2_FLAG",
  PROPERTY_RECONSUME_TIME: "RECONSUME_TIME",
  PROPERTY_MSG_REGION: "MSG_REGION",
  PROPERTY_TRACE_SWITCH: "TRACE_ON",
  PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX: "UNIQ_KEY",
  PROPERTY_EXTEND_UNIQ_INFO: "EXTEND_UNIQ_INFO",
  PROPERTY_MAX_RECONSUME_TIMES: "MAX_RECONSUME_TIMES",
  PROPERTY_CONSUME_START_TIMESTAMP: "CONSUME_START_TIME",
  PROPERTY_INNER_NUM: "INNER_NUM",
  PROPERTY_INNER_BASE: "INNER_BASE",
  DUP_INFO: "DUP_INFO",
  PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS: "CHECK_IMMUNITY_TIME_IN_SECONDS",
  PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET: "TRAN_PREPARED_QUEUE_OFFSET",
  PROPERTY_TRANSACTION_ID: "__transactionId__",
  PROPERTY_TRANSACTION_CHECK_TIMES: "TRANSACTION_CHECK_TIMES",
  PROPERTY_INSTANCE_ID: "INSTANCE_ID",
  PROPERTY_CORRELATION_ID: "CORRELATION_ID",
  PROPERTY_MESSAGE_REPLY_TO_CLIENT: "REPLY_TO_CLIENT",
  PROPERTY_MESSAGE_TTL: "TTL",
  PROPERTY_REPLY_MESSAGE_ARRIVE_TIME: "ARRIVE_TIME",
  PROPERTY_PUSH_REPLY_TIME: "PUSH_REPLY_TIME",
  PROPERTY_CLUSTER: "CLUSTER",
  PROPERTY_MESSAGE_TYPE: "MSG_TYPE",
  PROPERTY_POP_CK: "POP_CK",
  PROPERTY_POP_CK_OFFSET: "POP_CK_OFFSET",
  PROPERTY_FIRST_POP_TIME: "1ST_POP_TIME",
  PROPERTY_SHARDING_KEY: "__SHARDINGKEY",
  PROPERTY_FORWARD_QUEUE_ID: "PROPERTY_FORWARD_QUEUE_ID",
  PROPERTY_REDIRECT: "REDIRECT",
  PROPERTY_INNER_MULTI_DISPATCH: "INNER_MULTI_DISPATCH",
  PROPERTY_INNER_MULTI_QUEUE_OFFSET: "INNER_MULTI_QUEUE_OFFSET",
  PROPERTY_TRACE_CONTEXT: "TRACE_CONTEXT",
  PROPERTY_TIMER_DELAY_SEC: "TIMER_DELAY_SEC",
  PROPERTY_TIMER_DELIVER_MS: "TIMER_DELIVER_MS",
  PROPERTY_TIMER_DELAY_MS: "TIMER_DELAY_MS",
  PROPERTY_TIMER_ENQUEUE_MS: "TIMER_ENQUEUE_MS",
  PROPERTY_TIMER_DEQUEUE_MS: "TIMER_DEQUEUE_MS",
  PROPERTY_TIMER_ROLL_TIMES: "TIMER_ROLL_TIMES",
  PROPERTY_TIMER_OUT_MS: "TIMER_OUT_MS",
  PROPERTY_TIMER_DEL_UNIQKEY: "TIMER_DEL_UNIQKEY",
  PROPERTY_TIMER_DELAY_LEVEL: "TIMER_DELAY_LEVEL",
  PROPERTY_BORN_HOST: "__BORNHOST",
  PROPERTY_BORN_TIMESTAMP: "BORN_TIMESTAMP",
  PROPERTY_DLQ_ORIGIN_TOPIC: "DLQ_ORIGIN_TOPIC",
  PROPERTY_DLQ_ORIGIN_MESSAGE_ID: "DLQ_ORIGIN_MESSAGE_ID",
  /** Properties whose name starts with this are never stored. */
  PROPERTY_TRANSIENT_PREFIX: "__RMQ.TRANSIENT.",
  /** Separator between the entries of KEYS. */
  KEY_SEPARATOR: " ",
} as const;

/** Between a property name and its value. */
export const NAME_VALUE_SEPARATOR = "\u0001";
/** After each name/value pair. */
export const PROPERTY_SEPARATOR = "\u0002";

/** Encodes properties the 5.x way: a 0x02 after every pair, including the last. */
export function encodeProperties(props: ReadonlyMap<string, string>): string {
  let s = "";
  for (const [name, value] of props) s += name + NAME_VALUE_SEPARATOR + value + PROPERTY_SEPARATOR;
  return s;
}

/** Decodes a properties string, with or without the trailing 0x02; drops empty names and empty values. */
export function decodeProperties(s: string): Map<string, string> {
  const props = new Map<string, string>();
  let start = 0;
  while (start < s.length) {
    let end = s.indexOf(PROPERTY_SEPARATOR, start);
    if (end < 0) end = s.length;
    const sep = s.indexOf(NAME_VALUE_SEPARATOR, start);
    if (sep > start && sep < end - 1) props.set(s.slice(start, sep), s.slice(sep + 1, end));
    start = end + 1;
  }
  return props;
}

/**
 * The value of one property without building a map (the append path reads TAGS, KEYS and UNIQ_KEY this way).
 * Same rules as decodeProperties: an empty value counts as absent; a later duplicate wins.
 */
export function getProperty(s: string, name: string): string | undefined {
  let found: string | undefined;
  let start = 0;
  while (start < s.length) {
    let end = s.indexOf(PROPERTY_SEPARATOR, start);
    if (end < 0) end = s.length;
    const sep = start + name.length;
    if (
      sep < end - 1 &&
      s.charCodeAt(sep) === 1 &&
      s.startsWith(name, start) &&
      name.length > 0 &&
      s.indexOf(NAME_VALUE_SEPARATOR, start) === sep
    ) {
      found = s.slice(sep + 1, end);
    }
    start = end + 1;
  }
  return found;
}

/**
 * The values of several properties in one pass (same rules as getProperty), in the order of `names`.
 */
export function getProperties(s: string, names: readonly string[]): (string | undefined)[] {
  const out: (string | undefined)[] = names.map(() => undefined);
  let start = 0;
  while (start < s.length) {
    let end = s.indexOf(PROPERTY_SEPARATOR, start);
    if (end < 0) end = s.length;
    const sep = s.indexOf(NAME_VALUE_SEPARATOR, start);
    if (sep > start && sep < end - 1) {
      const len = sep - start;
      for (let i = 0; i < names.length; i++) {
        const name = names[i] as string;
        if (name.length === len && s.startsWith(name, start)) out[i] = s.slice(sep + 1, end);
      }
    }
    start = end + 1;
  }
  return out;
}
