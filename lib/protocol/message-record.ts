/**
 * The stored message record (protocol §8.1): CommitLog entry = PULL / QUERY / VIEW body element.
 *
 * Layout (big-endian; positions for IPv4 hosts, B = bornHost length 8|20, S = storeHost length 8|20):
 *   @0   int   totalSize                (whole record, this field included)
 *   @4   int   magicCode                V1 0xDAA320A7, V2 0xDAA320AB (2-byte topic length)
 *   @8   int   bodyCRC                  crc32(body) & 0x7FFFFFFF
 *   @12  int   queueId
 *   @16  int   flag
 *   @20  long  queueOffset
 *   @28  long  physicalOffset
 *   @36  int   sysFlag
 *   @40  long  bornTimestamp
 *   @48  B     bornHost                 address + int port
 *   @48+B       long storeTimestamp
 *   @56+B       S    storeHost
 *   @56+B+S     int  reconsumeTimes
 *   @60+B+S     long preparedTransactionOffset
 *   @68+B+S     int  bodyLength, body
 *   then  byte topicLength (V1, read signed ⇒ ≤ 127) | short topicLength (V2), topic (UTF-8)
 *   then  short propertiesLength, properties (UTF-8, §8.4)
 * Size (IPv4, V1) = 91 + body + topic + properties.
 *
 * The end of a CommitLog file holds a blank marker instead: int remaining bytes, int 0xCBD43194.
 */
import { crc32 } from "node:zlib";
import { StratusError } from "../common/errors.js";
import { MAX_MESSAGE_BODY_BYTES, MAX_MESSAGE_RECORD_BYTES, MAX_PROPERTIES_BYTES } from "../common/limits.js";
import { createOffsetMessageId } from "./message-id.js";
import { decodeProperties, MessageConst } from "./message-properties.js";
import { MessageSysFlag } from "./message-sys-flag.js";
import { tagsString2tagsCode } from "./tags.js";

/** A message as the broker hands it to the store (Apache MessageExtBrokerInner). */
export interface MessageExtBrokerInner {
  topic: string;
  queueId: number;
  flag: number;
  body: Buffer;
  /** The properties string as encoded (name\u0001value\u0002...). */
  propertiesString: string;
  /** Tag hash for the ConsumeQueue (or delivery timestamp for SCHEDULE_TOPIC_XXXX). */
  tagsCode: number;
  sysFlag: number;
  bornTimestamp: number;
  /** Socket address bytes: 4-byte IPv4 + int port (8 bytes) or 16-byte IPv6 + port (20 bytes). */
  bornHost: Buffer;
  storeHost: Buffer;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
}

/** A decoded stored record (Apache MessageExt as the client sees it). */
export interface MessageExt extends MessageExtBrokerInner {
  queueOffset: number;
  commitLogOffset: number;
  storeTimestamp: number;
  bodyCRC: number;
  storeSize: number;
  properties: Map<string, string>;
  /** UNIQ_KEY if present, else the offset id. */
  msgId: string;
  /** storeHost + commitLogOffset. */
  offsetMsgId: string;
}

export const MESSAGE_MAGIC_CODE_V1 = 0xdaa320a7 | 0;
export const MESSAGE_MAGIC_CODE_V2 = 0xdaa320ab | 0;
export const BLANK_MAGIC_CODE = 0xcbd43194 | 0;

export const TOTAL_SIZE_POS = 0;
export const MAGIC_CODE_POS = 4;
export const BODY_CRC_POS = 8;
export const QUEUE_ID_POS = 12;
export const FLAG_POS = 16;
export const QUEUE_OFFSET_POS = 20;
export const PHYSICAL_OFFSET_POS = 28;
export const SYS_FLAG_POS = 36;
export const BORN_TIMESTAMP_POS = 40;
export const BORN_HOST_POS = 48;
/** A V1 record with IPv4 hosts and empty body, topic and properties: 88 bytes to bodyLength + 1 + 2. */
const FIXED_BYTES_V1_IPV4 = 91;
/** Smallest possible record: V1, IPv4 hosts, empty body/topic/properties. */
export const MIN_RECORD_BYTES = FIXED_BYTES_V1_IPV4;
const IPV4_HOST_BYTES = 8;
const IPV6_HOST_BYTES = 20;
const TWO_POW_32 = 0x1_0000_0000;
const V1_MAX_TOPIC_BYTES = 127;
const V2_MAX_TOPIC_BYTES = 32_767;

/** IEEE CRC-32 of the body masked to 31 bits, as the record's bodyCRC. */
export function computeBodyCRC(body: Buffer): number {
  return crc32(body) & 0x7fffffff;
}

/** Big-endian int store without Buffer's per-call checks (callers guarantee range and bounds). */
function putInt(buf: Buffer, pos: number, v: number): void {
  buf[pos] = v >>> 24;
  buf[pos + 1] = v >>> 16;
  buf[pos + 2] = v >>> 8;
  buf[pos + 3] = v;
}

/** Copies a short byte string (hosts, topics) without Buffer.copy's call overhead; returns the end position. */
function putBytes(buf: Buffer, pos: number, bytes: Uint8Array): number {
  const n = bytes.length;
  if (n > 32) {
    buf.set(bytes, pos);
    return pos + n;
  }
  for (let i = 0; i < n; i++) buf[pos + i] = bytes[i] as number;
  return pos + n;
}

/** UTF-8 bytes of recently seen topics (a broker writes few distinct topics). */
const topicCache = new Map<string, Buffer>();
const TOPIC_CACHE_SIZE = 1024;

function topicBytes(topic: string, topicLen: number): Buffer {
  let b = topicCache.get(topic);
  if (!b) {
    b = Buffer.allocUnsafe(topicLen);
    b.write(topic, 0, topicLen, "utf8");
    if (topicCache.size >= TOPIC_CACHE_SIZE) topicCache.clear();
    topicCache.set(topic, b);
  }
  return b;
}

/** Writes a safe integer as a big-endian long. */
export function writeLong(buf: Buffer, pos: number, v: number): void {
  const hi = Math.floor(v / TWO_POW_32);
  putInt(buf, pos, hi | 0);
  putInt(buf, pos + 4, (v - hi * TWO_POW_32) >>> 0);
}

function malformed(what: string): StratusError {
  return new StratusError("RECORD_MALFORMED", `message record: ${what}`);
}

/** Reads a long that must fit a JS safe integer. Caller checks bounds. */
export function readLong(buf: Buffer, pos: number): number {
  const v = buf.readInt32BE(pos) * TWO_POW_32 + buf.readUInt32BE(pos + 4);
  if (!Number.isSafeInteger(v)) throw malformed(`long at ${pos} exceeds 2^53`);
  return v;
}

function checkInt(name: string, v: number): void {
  if ((v | 0) !== v) throw new StratusError("ILLEGAL_ARGUMENT", `message record: ${name} ${v} is not an int`);
}

function checkLong(name: string, v: number): void {
  if (!Number.isSafeInteger(v))
    throw new StratusError("ILLEGAL_ARGUMENT", `message record: ${name} ${v} is not a safe integer`);
}

function hostBytes(name: string, host: Buffer): number {
  if (host.length !== IPV4_HOST_BYTES && host.length !== IPV6_HOST_BYTES)
    throw new StratusError("ILLEGAL_ARGUMENT", `message record: ${name} of ${host.length} bytes`);
  return host.length;
}

function hostFlagBits(msg: MessageExtBrokerInner): number {
  let sysFlag = msg.sysFlag & ~(MessageSysFlag.BORNHOST_V6_FLAG | MessageSysFlag.STOREHOSTADDRESS_V6_FLAG);
  if (hostBytes("bornHost", msg.bornHost) === IPV6_HOST_BYTES) sysFlag |= MessageSysFlag.BORNHOST_V6_FLAG;
  if (hostBytes("storeHost", msg.storeHost) === IPV6_HOST_BYTES)
    sysFlag |= MessageSysFlag.STOREHOSTADDRESS_V6_FLAG;
  return sysFlag;
}

/** What encoding a message takes: its record size and the lengths the encoder needs. */
export interface RecordLayout {
  total: number;
  topicLen: number;
  propsLen: number;
  v2: boolean;
  sysFlag: number;
}

/**
 * Validates a message for encoding and computes its record layout. V1 unless the topic is longer than 127 bytes;
 * the V6 bits of sysFlag follow the host lengths. Throws ILLEGAL_ARGUMENT for values that do not fit their
 * fields, LIMIT_EXCEEDED for sizes.
 */
export function messageRecordLayout(msg: MessageExtBrokerInner): RecordLayout {
  checkInt("queueId", msg.queueId);
  checkInt("flag", msg.flag);
  checkInt("sysFlag", msg.sysFlag);
  checkInt("reconsumeTimes", msg.reconsumeTimes);
  checkLong("bornTimestamp", msg.bornTimestamp);
  checkLong("preparedTransactionOffset", msg.preparedTransactionOffset);
  if (msg.body.length > MAX_MESSAGE_BODY_BYTES)
    throw new StratusError("LIMIT_EXCEEDED", `message body of ${msg.body.length} bytes`);
  const sysFlag = hostFlagBits(msg);
  const topicLen = Buffer.byteLength(msg.topic, "utf8");
  const propsLen = Buffer.byteLength(msg.propertiesString, "utf8");
  if (topicLen === 0 || topicLen > V2_MAX_TOPIC_BYTES)
    throw new StratusError("ILLEGAL_ARGUMENT", `message record: topic of ${topicLen} bytes`);
  if (propsLen > MAX_PROPERTIES_BYTES)
    throw new StratusError("LIMIT_EXCEEDED", `message properties of ${propsLen} bytes`);
  const v2 = topicLen > V1_MAX_TOPIC_BYTES;
  const total =
    FIXED_BYTES_V1_IPV4 +
    (msg.bornHost.length - IPV4_HOST_BYTES) +
    (msg.storeHost.length - IPV4_HOST_BYTES) +
    (v2 ? 1 : 0) +
    msg.body.length +
    topicLen +
    propsLen;
  if (total > MAX_MESSAGE_RECORD_BYTES)
    throw new StratusError("LIMIT_EXCEEDED", `message record of ${total} bytes`);
  return { total, topicLen, propsLen, v2, sysFlag };
}

/** Encodes `msg` with its `layout` into `buf` at `pos` (which must have layout.total bytes of room). */
export function encodeMessageRecordInto(
  msg: MessageExtBrokerInner,
  layout: RecordLayout,
  buf: Buffer,
  pos: number,
  queueOffset: number,
  physicalOffset: number,
  storeTimestamp: number,
): void {
  checkLong("queueOffset", queueOffset);
  checkLong("physicalOffset", physicalOffset);
  checkLong("storeTimestamp", storeTimestamp);
  const { total, topicLen, propsLen, v2 } = layout;
  if (pos < 0 || pos + total > buf.length)
    throw new StratusError("ILLEGAL_ARGUMENT", "message record: no room");
  putInt(buf, pos + TOTAL_SIZE_POS, total);
  putInt(buf, pos + MAGIC_CODE_POS, v2 ? MESSAGE_MAGIC_CODE_V2 : MESSAGE_MAGIC_CODE_V1);
  putInt(buf, pos + BODY_CRC_POS, computeBodyCRC(msg.body));
  putInt(buf, pos + QUEUE_ID_POS, msg.queueId);
  putInt(buf, pos + FLAG_POS, msg.flag);
  writeLong(buf, pos + QUEUE_OFFSET_POS, queueOffset);
  writeLong(buf, pos + PHYSICAL_OFFSET_POS, physicalOffset);
  putInt(buf, pos + SYS_FLAG_POS, layout.sysFlag);
  writeLong(buf, pos + BORN_TIMESTAMP_POS, msg.bornTimestamp);
  let p = putBytes(buf, pos + BORN_HOST_POS, msg.bornHost);
  writeLong(buf, p, storeTimestamp);
  p += 8;
  p = putBytes(buf, p, msg.storeHost);
  putInt(buf, p, msg.reconsumeTimes);
  writeLong(buf, p + 4, msg.preparedTransactionOffset);
  putInt(buf, p + 12, msg.body.length);
  p += 16;
  buf.set(msg.body, p);
  p += msg.body.length;
  if (v2) {
    buf[p++] = topicLen >>> 8;
  }
  buf[p++] = topicLen;
  p = putBytes(buf, p, topicBytes(msg.topic, topicLen));
  buf[p] = propsLen >>> 8;
  buf[p + 1] = propsLen;
  buf.write(msg.propertiesString, p + 2, propsLen, "utf8");
}

/** Encodes a stored record into a new buffer (see messageRecordLayout for the rules and errors). */
export function encodeMessageRecord(
  msg: MessageExtBrokerInner,
  queueOffset: number,
  physicalOffset: number,
  storeTimestamp: number,
): Buffer {
  const layout = messageRecordLayout(msg);
  const buf = Buffer.allocUnsafe(layout.total);
  encodeMessageRecordInto(msg, layout, buf, 0, queueOffset, physicalOffset, storeTimestamp);
  return buf;
}

/** Rewrites queueOffset and physicalOffset of an encoded record in place (the append path). */
export function patchRecordOffsets(
  buf: Buffer,
  recordStart: number,
  queueOffset: number,
  physicalOffset: number,
): void {
  writeLong(buf, recordStart + QUEUE_OFFSET_POS, queueOffset);
  writeLong(buf, recordStart + PHYSICAL_OFFSET_POS, physicalOffset);
}

function need(pos: number, n: number, end: number): void {
  if (pos + n > end) throw malformed(`truncated at ${pos} (need ${n} bytes, record ends at ${end})`);
}

/** Bounds check for the peekers: `n` bytes from `offset` must lie inside `buf`. */
function span(buf: Buffer, offset: number, n: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + n > buf.length)
    throw malformed(`need ${n} bytes at ${offset} of a ${buf.length}-byte buffer`);
}

/** The totalSize field at `offset` (no validation of the record). */
export function readRecordSize(buf: Buffer, offset = 0): number {
  span(buf, offset, 4);
  return buf.readInt32BE(offset + TOTAL_SIZE_POS);
}

/** The magic code at `offset`. */
export function readRecordMagic(buf: Buffer, offset = 0): number {
  span(buf, offset, 8);
  return buf.readInt32BE(offset + MAGIC_CODE_POS);
}

export function readRecordQueueOffset(buf: Buffer, offset = 0): number {
  span(buf, offset, QUEUE_OFFSET_POS + 8);
  return readLong(buf, offset + QUEUE_OFFSET_POS);
}

export function readRecordPhysicalOffset(buf: Buffer, offset = 0): number {
  span(buf, offset, PHYSICAL_OFFSET_POS + 8);
  return readLong(buf, offset + PHYSICAL_OFFSET_POS);
}

/** storeTimestamp, whose position depends on the bornHost length (sysFlag BORNHOST_V6_FLAG). */
export function readRecordStoreTimestamp(buf: Buffer, offset = 0): number {
  span(buf, offset, SYS_FLAG_POS + 4);
  const sysFlag = buf.readInt32BE(offset + SYS_FLAG_POS);
  const pos =
    BORN_HOST_POS + ((sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) !== 0 ? IPV6_HOST_BYTES : IPV4_HOST_BYTES);
  span(buf, offset, pos + 8);
  return readLong(buf, offset + pos);
}

export function isMessageMagic(magic: number): boolean {
  return magic === MESSAGE_MAGIC_CODE_V1 || magic === MESSAGE_MAGIC_CODE_V2;
}

export interface DecodeRecordOptions {
  /** Verify bodyCRC against the body (recovery does; clients do not). */
  checkCRC?: boolean;
}

function readHeader(buf: Buffer, offset: number): { total: number; v2: boolean; end: number } {
  if (!Number.isInteger(offset) || offset < 0 || offset + 8 > buf.length)
    throw malformed(`no record header at ${offset}`);
  const total = buf.readInt32BE(offset);
  const magic = buf.readInt32BE(offset + MAGIC_CODE_POS);
  if (!isMessageMagic(magic)) throw malformed(`bad magic 0x${(magic >>> 0).toString(16)} at ${offset}`);
  if (total < MIN_RECORD_BYTES || total > MAX_MESSAGE_RECORD_BYTES) throw malformed(`bad totalSize ${total}`);
  if (offset + total > buf.length) throw malformed(`totalSize ${total} runs past the buffer`);
  return { total, v2: magic === MESSAGE_MAGIC_CODE_V2, end: offset + total };
}

/**
 * Decodes the record at `offset`. Throws RECORD_MALFORMED on anything wrong (never reads out of bounds).
 * `body` aliases `buf` (no copy). tagsCode is recomputed from TAGS (the schedule-topic delivery time is not stored).
 */
export function decodeMessageRecord(buf: Buffer, offset = 0, options: DecodeRecordOptions = {}): MessageExt {
  const { total, v2, end } = readHeader(buf, offset);
  const bodyCRC = buf.readInt32BE(offset + BODY_CRC_POS);
  const sysFlag = buf.readInt32BE(offset + SYS_FLAG_POS);
  const bLen = (sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) !== 0 ? IPV6_HOST_BYTES : IPV4_HOST_BYTES;
  const sLen = (sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) !== 0 ? IPV6_HOST_BYTES : IPV4_HOST_BYTES;
  let p = offset + BORN_HOST_POS;
  need(p, bLen + 8 + sLen + 16, end);
  const bornHost = Buffer.from(buf.subarray(p, p + bLen));
  const storeTimestamp = readLong(buf, p + bLen);
  p += bLen + 8;
  const storeHost = Buffer.from(buf.subarray(p, p + sLen));
  p += sLen;
  const reconsumeTimes = buf.readInt32BE(p);
  const preparedTransactionOffset = readLong(buf, p + 4);
  const bodyLen = buf.readInt32BE(p + 12);
  p += 16;
  if (bodyLen < 0) throw malformed(`negative body length ${bodyLen}`);
  need(p, bodyLen, end);
  const body = buf.subarray(p, p + bodyLen);
  p += bodyLen;
  need(p, v2 ? 2 : 1, end);
  const topicLen = v2 ? buf.readInt16BE(p) : buf.readInt8(p);
  p += v2 ? 2 : 1;
  if (topicLen < 0) throw malformed(`negative topic length ${topicLen}`);
  need(p, topicLen + 2, end);
  const topic = buf.toString("utf8", p, p + topicLen);
  p += topicLen;
  const propsLen = buf.readInt16BE(p);
  p += 2;
  if (propsLen < 0) throw malformed(`negative properties length ${propsLen}`);
  need(p, propsLen, end);
  const propertiesString = buf.toString("utf8", p, p + propsLen);
  p += propsLen;
  if (p !== end) throw malformed(`fields end at ${p - offset} but totalSize is ${total}`);
  if (options.checkCRC && computeBodyCRC(body) !== bodyCRC) throw malformed("bodyCRC mismatch");
  const commitLogOffset = readLong(buf, offset + PHYSICAL_OFFSET_POS);
  if (commitLogOffset < 0) throw malformed(`negative physical offset ${commitLogOffset}`);
  const properties = decodeProperties(propertiesString);
  const offsetMsgId = createOffsetMessageId(storeHost, commitLogOffset);
  return {
    topic,
    queueId: buf.readInt32BE(offset + QUEUE_ID_POS),
    flag: buf.readInt32BE(offset + FLAG_POS),
    body,
    propertiesString,
    tagsCode: tagsString2tagsCode(properties.get(MessageConst.PROPERTY_TAGS)),
    sysFlag,
    bornTimestamp: readLong(buf, offset + BORN_TIMESTAMP_POS),
    bornHost,
    storeHost,
    reconsumeTimes,
    preparedTransactionOffset,
    queueOffset: readLong(buf, offset + QUEUE_OFFSET_POS),
    commitLogOffset,
    storeTimestamp,
    bodyCRC,
    storeSize: total,
    properties,
    msgId: properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? offsetMsgId,
    offsetMsgId,
  };
}

/** Decodes records back to back (a PULL/QUERY body); stops at the end or throws on the first bad record. */
export function decodeMessageRecords(buf: Buffer): MessageExt[] {
  const out: MessageExt[] = [];
  let p = 0;
  while (p < buf.length) {
    const m = decodeMessageRecord(buf, p);
    out.push(m);
    p += m.storeSize;
  }
  return out;
}
