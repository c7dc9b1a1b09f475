/**
 * The CommitLog: stored records (protocol §8.1) back to back across fixed-size segment files named by their
 * 20-digit start offset (§9.2). A record never spans files: when `size + 8 > remaining`, the writer puts a blank
 * marker (int remaining, int BLANK_MAGIC_CODE) and continues at the next file. One writer (the store's append
 * batch) stages buffers and writes them with one pwritev per segment.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { assert } from "../../common/assert.js";
import { StratusError } from "../../common/errors.js";
import {
  BLANK_MAGIC_CODE,
  isMessageMagic,
  MAGIC_CODE_POS,
  MIN_RECORD_BYTES,
  readRecordStoreTimestamp,
} from "../../protocol/message-record.js";
import { listSegmentFiles } from "../store-path.js";
import { Segment } from "./segment.js";

/** Bytes a segment always keeps free for the blank marker. */
export const END_FILE_MIN_BLANK_LENGTH = 8;
/** Enough of a record's head to reach storeTimestamp even with an IPv6 bornHost. */
export const RECORD_HEAD_BYTES = 76;

export class CommitLog {
  readonly segments: Segment[] = [];
  /** Everything below this offset has been fdatasync'd. */
  flushedOffset = 0;
  /** Where the first segment starts when there is none (0, or where recovery cut an emptied log). */
  emptyStart = 0;
  /** How a segment is made durable (a seam for tests that simulate slow disks). */
  syncSegment: (segment: Segment) => Promise<void> = (segment) => segment.sync();
  private staged: Buffer[] = [];
  private stagedBytes = 0;

  constructor(
    readonly dir: string,
    readonly segmentSize: number,
  ) {}

  /** Opens the existing segment files (contents are validated by recovery). */
  load(): void {
    for (const f of listSegmentFiles(this.dir)) {
      const size = statSync(join(this.dir, f.name)).size;
      const prev = this.segments[this.segments.length - 1];
      if (prev && prev.fileEndOffset !== f.start)
        throw new StratusError("STORE_CORRUPT", `commitlog gap: ${prev.path} is not followed by ${f.name}`);
      if (f.start % this.segmentSize !== 0)
        throw new StratusError(
          "STORE_CORRUPT",
          `commitlog file ${f.name} is not aligned to ${this.segmentSize}`,
        );
      const seg = Segment.open(this.dir, f.start, this.segmentSize, size);
      seg.wrotePosition = this.segmentSize;
      this.segments.push(seg);
    }
  }

  /** Smallest offset still on disk (Apache getMinOffset); equals maxOffset when empty. */
  get minOffset(): number {
    return this.segments[0]?.fileFromOffset ?? this.maxOffset;
  }

  /** Next offset to write (everything below is readable). */
  get maxOffset(): number {
    const last = this.segments[this.segments.length - 1];
    return last ? last.fileFromOffset + last.wrotePosition : this.emptyStart;
  }

  private get active(): Segment | undefined {
    return this.segments[this.segments.length - 1];
  }

  /** Whether a group of `total` bytes can ever fit one segment. */
  fits(total: number): boolean {
    return total + END_FILE_MIN_BLANK_LENGTH <= this.segmentSize;
  }

  /**
   * Reserves `total` contiguous bytes and stages `bufs` there; returns their physical offset. Rolls to a new
   * segment (after a blank marker) first if the group does not fit the current one.
   */
  append(bufs: readonly Buffer[], total: number): number {
    assert(this.fits(total), "append group larger than a segment");
    let seg = this.active;
    if (seg && seg.wrotePosition + this.stagedBytes + total + END_FILE_MIN_BLANK_LENGTH > seg.fileSize) {
      const remaining = seg.fileSize - seg.wrotePosition - this.stagedBytes;
      if (remaining >= END_FILE_MIN_BLANK_LENGTH) {
        const blank = Buffer.allocUnsafe(END_FILE_MIN_BLANK_LENGTH);
        blank.writeInt32BE(remaining, 0);
        blank.writeInt32BE(BLANK_MAGIC_CODE, 4);
        this.staged.push(blank);
        this.stagedBytes += remaining;
        this.writeStaged(END_FILE_MIN_BLANK_LENGTH - remaining);
      } else {
        this.writeStaged();
        seg.wrotePosition = seg.fileSize;
      }
      seg = undefined;
    }
    if (!seg) {
      const start = this.maxOffset;
      seg = Segment.create(this.dir, start, this.segmentSize);
      this.segments.push(seg);
    }
    const phy = seg.fileFromOffset + seg.wrotePosition + this.stagedBytes;
    for (const b of bufs) this.staged.push(b);
    this.stagedBytes += total;
    return phy;
  }

  /**
   * Writes the staged buffers to the active segment with one pwritev. `adjust` corrects the byte count for a
   * blank marker, whose 8 bytes stand for the rest of the file.
   */
  writeStaged(adjust = 0): void {
    const seg = this.active;
    if (!seg || this.staged.length === 0) return;
    const bufs = this.staged;
    const bytes = this.stagedBytes;
    this.staged = [];
    this.stagedBytes = 0;
    seg.writev(bufs, seg.wrotePosition, bytes + adjust);
    seg.wrotePosition += bytes;
  }

  /** Drops staged buffers after a failure (nothing of them counts as written). */
  discardStaged(): void {
    this.staged = [];
    this.stagedBytes = 0;
  }

  /** The segment holding `phy`, if any. */
  findSegment(phy: number): Segment | undefined {
    const segs = this.segments;
    const first = segs[0];
    if (!first || phy < first.fileFromOffset) return undefined;
    const seg = segs[Math.floor((phy - first.fileFromOffset) / this.segmentSize)];
    return seg && phy < seg.fileEndOffset ? seg : undefined;
  }

  /** `size` bytes at `phy`, or undefined if they are not (or no longer) all on disk in one segment. */
  read(phy: number, size: number): Buffer | undefined {
    const seg = this.findSegment(phy);
    if (!seg || size <= 0 || phy + size > seg.fileFromOffset + seg.wrotePosition) return undefined;
    return seg.read(phy - seg.fileFromOffset, size);
  }

  /** The whole record at `phy`, or undefined if there is none. */
  readRecord(phy: number): Buffer | undefined {
    const head = this.read(phy, 8);
    if (!head) return undefined;
    const size = head.readInt32BE(0);
    if (!isMessageMagic(head.readInt32BE(4)) || size < MIN_RECORD_BYTES) return undefined;
    return this.read(phy, size);
  }

  /** Store time of the record at `phy` (-1 if unreadable). */
  readStoreTimestamp(phy: number): number {
    const seg = this.findSegment(phy);
    if (!seg) return -1;
    const pos = phy - seg.fileFromOffset;
    const len = Math.min(RECORD_HEAD_BYTES, seg.wrotePosition - pos);
    if (len < 8) return -1;
    const head = seg.read(pos, len);
    if (!isMessageMagic(head.readInt32BE(MAGIC_CODE_POS))) return -1;
    try {
      return readRecordStoreTimestamp(head, 0);
    } catch {
      return -1;
    }
  }

  /** fdatasyncs every segment holding unflushed bytes; returns the offset now durable. */
  async flush(): Promise<number> {
    const target = this.maxOffset;
    if (target <= this.flushedOffset) return this.flushedOffset;
    const dirty = this.segments.filter(
      (s) => s.fileEndOffset > this.flushedOffset && s.fileFromOffset < target,
    );
    await Promise.all(dirty.map((s) => this.syncSegment(s)));
    if (target > this.flushedOffset) this.flushedOffset = target;
    return target;
  }

  /** Cuts everything at and after `end`: zeroes the tail of its segment and deletes later segments. */
  truncateAt(end: number): void {
    for (let last = this.active; last && last.fileFromOffset >= end; last = this.active) {
      last.destroy();
      this.segments.pop();
    }
    const last = this.active;
    if (last && end < last.fileEndOffset) {
      last.zeroFrom(end - last.fileFromOffset);
      last.wrotePosition = end - last.fileFromOffset;
    }
    if (!last) this.emptyStart = end;
    this.flushedOffset = Math.min(this.flushedOffset, end);
  }

  /** Deletes the oldest segment (never the active one, nor one with an fdatasync in flight). */
  deleteFirstSegment(): boolean {
    const first = this.segments[0];
    if (!first || this.segments.length < 2 || first.syncInFlight) return false;
    first.destroy();
    this.segments.shift();
    return true;
  }

  close(): void {
    for (const s of this.segments) s.close();
  }
}
