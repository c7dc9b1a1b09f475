/**
 * SEND_BATCH_MESSAGE body (protocol §4.4): client-encoded messages back to back.
 *
 * Each record (big-endian):
 *   @0   int   totalSize       (this record, this field included)
 *   @4   int   magicCode       0, unused
 *   @8   int   bodyCRC         0, unused
 *   @12  int   flag
 *   @16  int   bodyLength, body
 *   then short propertiesLength, properties (UTF-8, §8.4)
 */
import { StratusError } from "../common/errors.js";
import { MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, MAX_PROPERTIES_BYTES } from "../common/limits.js";

export const BATCH_TOTAL_SIZE_POS = 0;
export const BATCH_MAGIC_CODE_POS = 4;
export const BATCH_BODY_CRC_POS = 8;
export const BATCH_FLAG_POS = 12;
export const BATCH_BODY_LENGTH_POS = 16;
/** A record with an empty body and no properties. */
export const BATCH_MIN_RECORD_BYTES = 22;

export interface BatchMessage {
  flag: number;
  body: Buffer;
  propertiesString: string;
}

function malformed(what: string): StratusError {
  return new StratusError("RECORD_MALFORMED", `batch body: ${what}`);
}

/** Encodes messages the way the Java client does (magic and CRC 0). */
export function encodeBatchBody(msgs: readonly BatchMessage[]): Buffer {
  if (msgs.length > MAX_BATCH_MESSAGES)
    throw new StratusError("LIMIT_EXCEEDED", `batch of ${msgs.length} messages`);
  const parts: Buffer[] = [];
  let total = 0;
  for (const m of msgs) {
    const propsLen = Buffer.byteLength(m.propertiesString, "utf8");
    if (propsLen > MAX_PROPERTIES_BYTES)
      throw new StratusError("LIMIT_EXCEEDED", `properties of ${propsLen} bytes`);
    const size = BATCH_MIN_RECORD_BYTES + m.body.length + propsLen;
    total += size;
    if (total > MAX_BATCH_BYTES)
      throw new StratusError("LIMIT_EXCEEDED", `batch body over ${MAX_BATCH_BYTES} bytes`);
    const b = Buffer.alloc(size);
    b.writeInt32BE(size, BATCH_TOTAL_SIZE_POS);
    b.writeInt32BE(m.flag | 0, BATCH_FLAG_POS);
    b.writeInt32BE(m.body.length, BATCH_BODY_LENGTH_POS);
    m.body.copy(b, BATCH_BODY_LENGTH_POS + 4);
    const p = BATCH_BODY_LENGTH_POS + 4 + m.body.length;
    b.writeInt16BE(propsLen, p);
    b.write(m.propertiesString, p + 2, propsLen, "utf8");
    parts.push(b);
  }
  return Buffer.concat(parts, total);
}

function decodeOne(body: Buffer, start: number): BatchMessage & { size: number } {
  if (start + BATCH_MIN_RECORD_BYTES > body.length) throw malformed(`truncated record at ${start}`);
  const size = body.readInt32BE(start + BATCH_TOTAL_SIZE_POS);
  if (size < BATCH_MIN_RECORD_BYTES || start + size > body.length)
    throw malformed(`bad totalSize ${size} at ${start}`);
  const end = start + size;
  const flag = body.readInt32BE(start + BATCH_FLAG_POS);
  const bodyLen = body.readInt32BE(start + BATCH_BODY_LENGTH_POS);
  let p = start + BATCH_BODY_LENGTH_POS + 4;
  if (bodyLen < 0 || p + bodyLen + 2 > end) throw malformed(`bad bodyLength ${bodyLen} at ${start}`);
  const msgBody = body.subarray(p, p + bodyLen);
  p += bodyLen;
  const propsLen = body.readInt16BE(p);
  p += 2;
  if (propsLen < 0 || p + propsLen !== end) throw malformed(`bad propertiesLength ${propsLen} at ${start}`);
  return { flag, body: msgBody, propertiesString: body.toString("utf8", p, end), size };
}

/**
 * Splits a batch body into its messages. Bodies alias `body` (no copy). Throws LIMIT_EXCEEDED past
 * MAX_BATCH_BYTES / MAX_BATCH_MESSAGES (checked before anything is allocated) and RECORD_MALFORMED otherwise.
 */
export function decodeBatchBody(body: Buffer): BatchMessage[] {
  if (body.length > MAX_BATCH_BYTES)
    throw new StratusError("LIMIT_EXCEEDED", `batch body of ${body.length} bytes`);
  const out: BatchMessage[] = [];
  let p = 0;
  while (p < body.length) {
    if (out.length >= MAX_BATCH_MESSAGES)
      throw new StratusError("LIMIT_EXCEEDED", `batch of more than ${MAX_BATCH_MESSAGES} messages`);
    const m = decodeOne(body, p);
    out.push({ flag: m.flag, body: m.body, propertiesString: m.propertiesString });
    p += m.size;
  }
  return out;
}
