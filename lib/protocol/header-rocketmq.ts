/**
 * ROCKETMQ binary remoting header (serializeType 1). Big-endian; lengths are signed.
 *
 *   offset      size  field
 *   0           2     code            (int16)
 *   2           1     language        (LanguageCode number)
 *   3           2     version         (int16)
 *   5           4     opaque          (int32)
 *   9           4     flag            (int32)
 *   13          4     remarkLength R  (int32, 0 = no remark)
 *   17          R     remark          (UTF-8)
 *   17+R        4     extFieldsLength E (int32)
 *   21+R        E     entries until E is consumed:
 *                       2  keyLength K (int16) ; K bytes key (UTF-8)
 *                       4  valueLength V (int32); V bytes value (UTF-8)
 *
 * Header length = 21 + R + E. A string of length 0 decodes as absent (Java reads it as null): an empty
 * remark is no remark, an entry with an empty key or value is dropped. Unknown language numbers decode
 * as "OTHER". Encoding rejects values that do not fit their field (Java would silently truncate).
 */
import { StratusError } from "../common/errors.js";
import { MAX_EXT_FIELDS } from "../common/limits.js";
import { type RemotingHeader, setOwn } from "./header-json.js";
import { languageCodeToName, languageNameToCode } from "./language-code.js";

export const CODE_OFFSET = 0;
export const LANGUAGE_OFFSET = 2;
export const VERSION_OFFSET = 3;
export const OPAQUE_OFFSET = 5;
export const FLAG_OFFSET = 9;
export const REMARK_LENGTH_OFFSET = 13;
export const REMARK_OFFSET = 17;
/** Offset of extFieldsLength when there is no remark; add the remark's byte length otherwise. */
export const EXT_FIELDS_LENGTH_BASE_OFFSET = 17;
/** Bytes of a header with no remark and no extFields. */
export const MIN_ROCKETMQ_HEADER_BYTES = 21;

const KEY_LENGTH_BYTES = 2;
const VALUE_LENGTH_BYTES = 4;
const INT16_MIN = -0x8000;
const INT16_MAX = 0x7fff;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

// ---------------------------------------------------------------------------------------------- encode

/** Bytes the header will take on the wire. */
export function rocketmqHeaderLength(header: RemotingHeader): number {
  let size = MIN_ROCKETMQ_HEADER_BYTES;
  if (header.remark) size += Buffer.byteLength(header.remark, "utf8");
  for (const key in header.extFields) {
    const value = header.extFields[key];
    if (value === undefined || value === null) continue;
    size += KEY_LENGTH_BYTES + Buffer.byteLength(key, "utf8");
    size += VALUE_LENGTH_BYTES + Buffer.byteLength(String(value), "utf8");
  }
  return size;
}

/** Writes the header at `target[offset]`; returns the bytes written. `target` must have room. */
export function writeRocketmqHeader(header: RemotingHeader, target: Buffer, offset: number): number {
  target.writeInt16BE(checkRange(header.code, INT16_MIN, INT16_MAX, "code"), offset + CODE_OFFSET);
  target.writeUInt8(languageNameToCode(header.language), offset + LANGUAGE_OFFSET);
  target.writeInt16BE(checkRange(header.version, INT16_MIN, INT16_MAX, "version"), offset + VERSION_OFFSET);
  target.writeInt32BE(checkRange(header.opaque, INT32_MIN, INT32_MAX, "opaque"), offset + OPAQUE_OFFSET);
  target.writeInt32BE(checkRange(header.flag, INT32_MIN, INT32_MAX, "flag"), offset + FLAG_OFFSET);
  const remarkBytes = header.remark ? target.write(header.remark, offset + REMARK_OFFSET, "utf8") : 0;
  target.writeInt32BE(remarkBytes, offset + REMARK_LENGTH_OFFSET);
  const extLengthAt = offset + EXT_FIELDS_LENGTH_BASE_OFFSET + remarkBytes;
  let pos = extLengthAt + 4;
  for (const key in header.extFields) {
    const value = header.extFields[key];
    if (value === undefined || value === null) continue;
    const keyBytes = target.write(key, pos + KEY_LENGTH_BYTES, "utf8");
    if (keyBytes > INT16_MAX)
      throw illegal(`extFields key of ${keyBytes} bytes does not fit an int16 length`);
    target.writeInt16BE(keyBytes, pos);
    pos += KEY_LENGTH_BYTES + keyBytes;
    const valueBytes = target.write(String(value), pos + VALUE_LENGTH_BYTES, "utf8");
    target.writeInt32BE(valueBytes, pos);
    pos += VALUE_LENGTH_BYTES + valueBytes;
  }
  target.writeInt32BE(pos - extLengthAt - 4, extLengthAt);
  return pos - offset;
}

export function encodeRocketmqHeader(header: RemotingHeader): Buffer {
  const out = Buffer.allocUnsafe(rocketmqHeaderLength(header));
  writeRocketmqHeader(header, out, 0);
  return out;
}

function checkRange(value: number, min: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw illegal(`header ${field} ${String(value)} does not fit the ROCKETMQ binary header`);
  }
  return value;
}

function illegal(message: string): StratusError {
  return new StratusError("ILLEGAL_ARGUMENT", message);
}

// ---------------------------------------------------------------------------------------------- decode

/** Decodes the binary header in `buf[start, end)`. Throws HEADER_MALFORMED on any inconsistency. */
export function decodeRocketmqHeader(buf: Buffer, start = 0, end = buf.length): RemotingHeader {
  if (start < 0 || end > buf.length || end - start < MIN_ROCKETMQ_HEADER_BYTES) {
    throw malformed(`is ${end - start} bytes, shorter than ${MIN_ROCKETMQ_HEADER_BYTES}`);
  }
  const remarkLength = buf.readInt32BE(start + REMARK_LENGTH_OFFSET);
  const remarkStart = start + REMARK_OFFSET;
  checkLength(remarkLength, remarkStart, end - 4, "remark");
  const extLengthAt = start + EXT_FIELDS_LENGTH_BASE_OFFSET + remarkLength;
  const extLength = buf.readInt32BE(extLengthAt);
  checkLength(extLength, extLengthAt + 4, end, "extFields");
  if (extLengthAt + 4 + extLength !== end) {
    throw malformed(`has ${end - extLengthAt - 4 - extLength} bytes after its extFields`);
  }
  return {
    code: buf.readInt16BE(start + CODE_OFFSET),
    language: languageCodeToName(buf.readUInt8(start + LANGUAGE_OFFSET)),
    version: buf.readInt16BE(start + VERSION_OFFSET),
    opaque: buf.readInt32BE(start + OPAQUE_OFFSET),
    flag: buf.readInt32BE(start + FLAG_OFFSET),
    remark: remarkLength > 0 ? buf.toString("utf8", remarkStart, remarkStart + remarkLength) : undefined,
    extFields: decodeExtFields(buf, extLengthAt + 4, end),
  };
}

function decodeExtFields(buf: Buffer, start: number, end: number): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = start;
  let count = 0;
  while (pos < end) {
    count += 1;
    if (count > MAX_EXT_FIELDS) throw malformed(`has more than MAX_EXT_FIELDS (${MAX_EXT_FIELDS}) extFields`);
    checkLength(KEY_LENGTH_BYTES, pos, end, "extFields key length");
    const keyLength = buf.readInt16BE(pos);
    pos += KEY_LENGTH_BYTES;
    checkLength(keyLength, pos, end, "extFields key");
    const key = buf.toString("utf8", pos, pos + keyLength);
    pos += keyLength;
    checkLength(VALUE_LENGTH_BYTES, pos, end, "extFields value length");
    const valueLength = buf.readInt32BE(pos);
    pos += VALUE_LENGTH_BYTES;
    checkLength(valueLength, pos, end, "extFields value");
    if (keyLength > 0 && valueLength > 0) setOwn(out, key, buf.toString("utf8", pos, pos + valueLength));
    pos += valueLength;
  }
  return out;
}

/** A length read from the wire must be non-negative and fit between `at` and `limit`. */
function checkLength(length: number, at: number, limit: number, what: string): void {
  if (length < 0 || length > limit - at) {
    throw malformed(`${what} length ${length} does not fit the ${limit - at} bytes left`);
  }
}

function malformed(what: string): StratusError {
  return new StratusError("HEADER_MALFORMED", `ROCKETMQ remoting header ${what}`);
}
