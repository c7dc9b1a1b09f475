/**
 * Remoting frame codec. Big-endian.
 *
 *   offset  size  field
 *   0       4     totalLength = 4 + H + B            (does not count itself)
 *   4       1     serializeType (0 JSON, 1 ROCKETMQ)  } one int: (type << 24) | H
 *   5       3     headerLength H (24-bit)             }
 *   8       H     header (header-json.ts / header-rocketmq.ts)
 *   8+H     B     body (opaque bytes; B = totalLength - 4 - H, absent when 0)
 *
 * A whole frame, length field included, may not exceed maxFrameBytes (MAX_FRAME_BYTES by default, as
 * Java's length-field decoder counts it). Decoded bodies are views into the received bytes, not copies:
 * code that keeps a body beyond the request must copy it.
 */
import { StratusError } from "../common/errors.js";
import { MAX_FRAME_BYTES, MAX_HEADER_BYTES } from "../common/limits.js";
import { decodeJsonHeader, jsonHeaderText, type RemotingHeader } from "./header-json.js";
import { decodeRocketmqHeader, rocketmqHeaderLength, writeRocketmqHeader } from "./header-rocketmq.js";
import { bodyLength as bodyLengthOf, type RemotingCommand, SerializeType } from "./remoting-command.js";

export const TOTAL_LENGTH_OFFSET = 0;
export const HEADER_INFO_OFFSET = 4;
export const HEADER_OFFSET = 8;
/** Bytes of the totalLength field, which totalLength does not count. */
export const LENGTH_FIELD_BYTES = 4;
export const HEADER_LENGTH_MASK = 0xffffff;
export const SERIALIZE_TYPE_SHIFT = 24;

// ---------------------------------------------------------------------------------------------- encode

interface PreparedHeader {
  json?: string;
  length: number;
}

function prepareHeader(cmd: RemotingCommand): PreparedHeader {
  if (cmd.serializeType === SerializeType.JSON) {
    const json = jsonHeaderText(cmd);
    return { json, length: Buffer.byteLength(json, "utf8") };
  }
  if (cmd.serializeType === SerializeType.ROCKETMQ) return { length: rocketmqHeaderLength(cmd) };
  throw new StratusError("ILLEGAL_ARGUMENT", `unknown serializeType ${String(cmd.serializeType)}`);
}

function checkEncodedSize(headerLength: number, bodyLength: number, maxFrameBytes: number): void {
  if (headerLength > MAX_HEADER_BYTES) {
    throw new StratusError("LIMIT_EXCEEDED", `header of ${headerLength} bytes exceeds MAX_HEADER_BYTES`);
  }
  const frameBytes = HEADER_OFFSET + headerLength + bodyLength;
  if (frameBytes > maxFrameBytes) {
    throw new StratusError("FRAME_TOO_LARGE", `frame of ${frameBytes} bytes exceeds ${maxFrameBytes}`);
  }
}

/** Writes totalLength, the type/length int and the header into `out` (which has room for them). */
function writePrefix(cmd: RemotingCommand, header: PreparedHeader, bodyLength: number, out: Buffer): void {
  out.writeInt32BE(HEADER_OFFSET - LENGTH_FIELD_BYTES + header.length + bodyLength, TOTAL_LENGTH_OFFSET);
  out.writeInt32BE((cmd.serializeType << SERIALIZE_TYPE_SHIFT) | header.length, HEADER_INFO_OFFSET);
  if (header.json !== undefined) out.write(header.json, HEADER_OFFSET, header.length, "utf8");
  else writeRocketmqHeader(cmd, out, HEADER_OFFSET);
}

/** Encodes a whole frame into one freshly allocated buffer, header serialized per `cmd.serializeType`. */
export function encodeFrame(cmd: RemotingCommand, maxFrameBytes = MAX_FRAME_BYTES): Buffer {
  const header = prepareHeader(cmd);
  const bodyLength = bodyLengthOf(cmd);
  checkEncodedSize(header.length, bodyLength, maxFrameBytes);
  const out = Buffer.allocUnsafe(HEADER_OFFSET + header.length + bodyLength);
  writePrefix(cmd, header, bodyLength, out);
  let at = HEADER_OFFSET + header.length;
  if (cmd.bodyParts !== undefined) {
    for (const part of cmd.bodyParts) at += part.copy(out, at);
  } else if (cmd.body && bodyLength > 0) {
    cmd.body.copy(out, at);
  }
  return out;
}

/**
 * Encodes everything but the body; the caller writes `cmd.body` (or `cmd.bodyParts`, in order) right after
 * it (a vectored write avoids copying large bodies). Returns the prefix alone when there is no body.
 */
export function encodeFrameHead(cmd: RemotingCommand, maxFrameBytes = MAX_FRAME_BYTES): Buffer {
  const header = prepareHeader(cmd);
  const bodyLength = bodyLengthOf(cmd);
  checkEncodedSize(header.length, bodyLength, maxFrameBytes);
  const out = Buffer.allocUnsafe(HEADER_OFFSET + header.length);
  writePrefix(cmd, header, bodyLength, out);
  return out;
}

// ---------------------------------------------------------------------------------------------- decode

/**
 * Checks a totalLength read from the wire before anything is allocated for it; returns the whole
 * frame size (length field included).
 */
export function checkTotalLength(totalLength: number, maxFrameBytes: number): number {
  if (totalLength < HEADER_OFFSET - LENGTH_FIELD_BYTES) {
    throw new StratusError("FRAME_MALFORMED", `frame totalLength ${totalLength} is below the minimum 4`);
  }
  const frameBytes = LENGTH_FIELD_BYTES + totalLength;
  if (frameBytes > maxFrameBytes) {
    throw new StratusError("FRAME_TOO_LARGE", `frame of ${frameBytes} bytes exceeds ${maxFrameBytes}`);
  }
  return frameBytes;
}

/** Decodes a whole frame (starting at its totalLength) that must fill `frame` exactly. */
export function decodeFrame(frame: Buffer, maxFrameBytes = MAX_FRAME_BYTES): RemotingCommand {
  if (frame.length < HEADER_OFFSET) {
    throw new StratusError("FRAME_MALFORMED", `frame of ${frame.length} bytes is shorter than 8`);
  }
  const frameBytes = checkTotalLength(frame.readInt32BE(TOTAL_LENGTH_OFFSET), maxFrameBytes);
  if (frameBytes !== frame.length) {
    throw new StratusError("FRAME_MALFORMED", `frame says ${frameBytes} bytes but has ${frame.length}`);
  }
  return decodeFrameAt(frame, 0, frameBytes);
}

/** Decodes the frame in `buf[start, start + frameBytes)` whose totalLength was already checked. */
export function decodeFrameAt(buf: Buffer, start: number, frameBytes: number): RemotingCommand {
  const info = buf.readInt32BE(start + HEADER_INFO_OFFSET);
  const serializeType = (info >>> SERIALIZE_TYPE_SHIFT) & 0xff;
  const headerLength = info & HEADER_LENGTH_MASK;
  if (headerLength > frameBytes - HEADER_OFFSET) {
    throw new StratusError("FRAME_MALFORMED", `headerLength ${headerLength} exceeds the frame`);
  }
  if (headerLength > MAX_HEADER_BYTES) {
    throw new StratusError("HEADER_MALFORMED", `headerLength ${headerLength} exceeds MAX_HEADER_BYTES`);
  }
  const headerStart = start + HEADER_OFFSET;
  const bodyStart = headerStart + headerLength;
  let header: RemotingHeader;
  if (serializeType === SerializeType.JSON) header = decodeJsonHeader(buf, headerStart, bodyStart);
  else if (serializeType === SerializeType.ROCKETMQ)
    header = decodeRocketmqHeader(buf, headerStart, bodyStart);
  else throw new StratusError("HEADER_MALFORMED", `unknown serializeType ${serializeType}`);
  const end = start + frameBytes;
  return {
    ...header,
    body: end > bodyStart ? buf.subarray(bodyStart, end) : undefined,
    serializeType,
  };
}

// ---------------------------------------------------------------------------------------------- stream

/**
 * Cuts a byte stream into frames, whatever the split points. Complete frames inside one chunk are
 * decoded in place; a frame spread over several chunks is assembled into one buffer of exactly its
 * size, allocated only once the whole frame has arrived and its length has been checked. After a
 * failure the stream is unusable and every later push throws again.
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number;
  /** Received bytes of an incomplete frame; only the last chunk can hold bytes beyond it. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Whole size of the frame being assembled, or -1 while its length field is incomplete. */
  private expectedBytes = -1;
  private failure: unknown;

  constructor(maxFrameBytes = MAX_FRAME_BYTES) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held for a frame not yet complete. */
  bufferedBytes(): number {
    return this.pendingBytes;
  }

  push(chunk: Buffer): RemotingCommand[] {
    if (this.failure !== undefined) throw this.failure;
    try {
      const out: RemotingCommand[] = [];
      if (this.pendingBytes === 0) this.drain(chunk, 0, out);
      else this.continuePending(chunk, out);
      return out;
    } catch (e) {
      this.failure = e;
      this.pending = [];
      this.pendingBytes = 0;
      throw this.failure;
    }
  }

  /** Decodes every complete frame of `chunk` from `offset`; keeps the incomplete rest. */
  private drain(chunk: Buffer, offset: number, out: RemotingCommand[]): void {
    let pos = offset;
    while (chunk.length - pos >= LENGTH_FIELD_BYTES) {
      const frameBytes = checkTotalLength(chunk.readInt32BE(pos), this.maxFrameBytes);
      if (chunk.length - pos < frameBytes) break;
      out.push(decodeFrameAt(chunk, pos, frameBytes));
      pos += frameBytes;
    }
    if (pos < chunk.length) this.keep(chunk.subarray(pos));
  }

  private keep(rest: Buffer): void {
    this.pending.push(rest);
    this.pendingBytes += rest.length;
    if (this.expectedBytes < 0 && this.pendingBytes >= LENGTH_FIELD_BYTES) {
      this.expectedBytes = checkTotalLength(this.readPendingLength(), this.maxFrameBytes);
    }
  }

  private continuePending(chunk: Buffer, out: RemotingCommand[]): void {
    this.keep(chunk);
    if (this.expectedBytes < 0 || this.pendingBytes < this.expectedBytes) return;
    const frameBytes = this.expectedBytes;
    const frame = Buffer.allocUnsafe(frameBytes);
    let filled = 0;
    let rest: Buffer | undefined;
    for (const piece of this.pending) {
      const take = Math.min(piece.length, frameBytes - filled);
      piece.copy(frame, filled, 0, take);
      filled += take;
      if (take < piece.length) rest = piece.subarray(take);
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.expectedBytes = -1;
    out.push(decodeFrameAt(frame, 0, frameBytes));
    if (rest) this.drain(rest, 0, out);
  }

  private readPendingLength(): number {
    const head = Buffer.allocUnsafe(LENGTH_FIELD_BYTES);
    let filled = 0;
    for (const piece of this.pending) {
      filled += piece.copy(head, filled, 0, Math.min(piece.length, LENGTH_FIELD_BYTES - filled));
      if (filled === LENGTH_FIELD_BYTES) break;
    }
    return head.readInt32BE(0);
  }
}
