/**
 * Recovery scan of the CommitLog (protocol §9.6): walk records from a segment start, validate each one (size,
 * magic, CRC, fields, that its physicalOffset field names its own position, and after a crash that the last
 * record's topic and properties are not a torn tail of zeros), and stop at the first invalid one. A blank marker ends a segment. The caller re-dispatches every valid record and cuts the log at the end.
 */
import { isStratusError } from "../../common/errors.js";
import { MAX_MESSAGE_RECORD_BYTES } from "../../common/limits.js";
import {
  BLANK_MAGIC_CODE,
  decodeMessageRecord,
  isMessageMagic,
  MAGIC_CODE_POS,
  type MessageExt,
  MIN_RECORD_BYTES,
} from "../../protocol/message-record.js";
import type { CommitLog } from "./commit-log.js";
import { END_FILE_MIN_BLANK_LENGTH } from "./commit-log.js";
import type { Segment } from "./segment.js";

/** Bytes read per pread while scanning (at least one record of the largest size). */
const SCAN_CHUNK_BYTES = 2 * MAX_MESSAGE_RECORD_BYTES;

export type OnScannedRecord = (msg: MessageExt) => void;

export interface ScanOptions {
  /** Verify each body CRC (Apache checkCRCOnRecover). */
  checkCRC: boolean;
  /** The last stop was unclean: also look for a torn tail in topic/properties. */
  afterCrash: boolean;
}

/** Index of the newest segment whose first record was stored at or before `minTimestamp` (0 if none). */
export function pickRecoveryStart(log: CommitLog, minTimestamp: number): number {
  if (minTimestamp <= 0) return 0;
  for (let i = log.segments.length - 1; i >= 0; i--) {
    const seg = log.segments[i] as Segment;
    const ts = log.readStoreTimestamp(seg.fileFromOffset);
    if (ts > 0 && ts <= minTimestamp) return i;
  }
  return 0;
}

class ChunkReader {
  private buf: Buffer;
  private start = 0;
  private len = 0;

  constructor(
    private readonly seg: Segment,
    chunkBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(chunkBytes, seg.fileSize));
  }

  /** A buffer holding `[pos, pos+n)` of the segment, and where `pos` sits in it. */
  view(pos: number, n: number): { buf: Buffer; at: number } {
    if (pos < this.start || pos + n > this.start + this.len) {
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
      const len = Math.min(this.buf.length, this.seg.fileSize - pos);
      this.seg.read(pos, len, this.buf);
      this.start = pos;
      this.len = len;
    }
    return { buf: this.buf, at: pos - this.start };
  }
}

/**
 * After a crash, the body CRC does not cover topic and properties, so a tail of zeros (a page that never
 * reached the disk) there would pass. A record with NUL characters in them that is not followed by another
 * record or a blank marker is taken as that torn tail. Only the last record can be cut this way, and only after
 * an unclean stop: a producer's NUL characters elsewhere are kept.
 */
function hasTornText(msg: MessageExt): boolean {
  return msg.topic.includes("\u0000") || msg.propertiesString.includes("\u0000");
}

/** Whether a record or a blank marker starts at `next` (read apart from the chunk the caller's record sits in). */
function followedByRecord(seg: Segment, next: number): boolean {
  if (seg.fileSize - next < END_FILE_MIN_BLANK_LENGTH) return true;
  const magic = seg.read(next, 8).readInt32BE(MAGIC_CODE_POS);
  return isMessageMagic(magic) || magic === BLANK_MAGIC_CODE;
}

type SegmentEnd = { kind: "full" } | { kind: "stop"; pos: number };

function scanSegment(seg: Segment, opts: ScanOptions, onRecord: OnScannedRecord): SegmentEnd {
  const reader = new ChunkReader(seg, SCAN_CHUNK_BYTES);
  let pos = 0;
  while (seg.fileSize - pos >= END_FILE_MIN_BLANK_LENGTH) {
    const head = reader.view(pos, 8);
    const size = head.buf.readInt32BE(head.at);
    const magic = head.buf.readInt32BE(head.at + MAGIC_CODE_POS);
    if (magic === BLANK_MAGIC_CODE) {
      return size === seg.fileSize - pos ? { kind: "full" } : { kind: "stop", pos };
    }
    if (!isMessageMagic(magic) || size < MIN_RECORD_BYTES || size > MAX_MESSAGE_RECORD_BYTES)
      return { kind: "stop", pos };
    if (pos + size > seg.fileSize) return { kind: "stop", pos };
    const rec = reader.view(pos, size);
    let msg: MessageExt;
    try {
      msg = decodeMessageRecord(rec.buf.subarray(rec.at, rec.at + size), 0, { checkCRC: opts.checkCRC });
    } catch (e) {
      if (isStratusError(e, "RECORD_MALFORMED")) return { kind: "stop", pos };
      throw e;
    }
    if (msg.commitLogOffset !== seg.fileFromOffset + pos) return { kind: "stop", pos };
    if (opts.afterCrash && hasTornText(msg) && !followedByRecord(seg, pos + size))
      return { kind: "stop", pos };
    onRecord(msg);
    pos += size;
  }
  return { kind: "full" };
}

/**
 * Validates records from segment `fromIndex` on, calling `onRecord` for each valid one (its body aliases a
 * scratch buffer: copy what you keep). Returns the offset just past the last valid record.
 */
export function scanCommitLog(
  log: CommitLog,
  fromIndex: number,
  opts: ScanOptions,
  onRecord: OnScannedRecord,
): number {
  const segs = log.segments;
  const from = segs[fromIndex];
  if (!from) return log.emptyStart;
  for (let i = fromIndex; i < segs.length; i++) {
    const seg = segs[i] as Segment;
    const end = scanSegment(seg, opts, onRecord);
    if (end.kind === "stop") return seg.fileFromOffset + end.pos;
  }
  return (segs[segs.length - 1] as Segment).fileEndOffset;
}
