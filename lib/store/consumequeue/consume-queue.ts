/**
 * One ConsumeQueue (protocol §9.3): 20-byte units in fixed-size files under consumequeue/<topic>/<queueId>/,
 * named by the 20-digit start byte offset; unit index = logical queue offset. Units are staged by the dispatcher
 * and written with one pwritev per file at the end of each append batch.
 */
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { StratusError } from "../../common/errors.js";
import { Segment } from "../commitlog/segment.js";
import { StagingBuffer } from "../staging-buffer.js";
import { CQ_STORE_UNIT_SIZE } from "../store-config.js";
import { listSegmentFiles } from "../store-path.js";
import {
  type ConsumeQueueUnit,
  CQ_HOLE_SIZE,
  decodeConsumeQueueUnit,
  isHoleUnit,
  isValidConsumeQueueUnit,
  writeConsumeQueueUnit,
} from "./consume-queue-unit.js";

/** Largest gap the dispatcher fills with hole units; beyond it the queue starts over at the new offset. */
export const MAX_CONSUME_QUEUE_HOLE_UNITS = 1_000_000;

export class ConsumeQueue {
  private readonly files: Segment[] = [];
  /** Next logical offset to write (units). */
  maxOffset = 0;
  /** First logical offset whose record may still exist (units). */
  minOffset = 0;
  private readonly staged = new StagingBuffer(64 * CQ_STORE_UNIT_SIZE);
  private stagedFrom = 0;
  private readonly dirty = new Set<Segment>();
  private readonly unitsPerFile: number;

  constructor(
    readonly dir: string,
    readonly topic: string,
    readonly queueId: number,
    readonly fileSize: number,
  ) {
    this.unitsPerFile = fileSize / CQ_STORE_UNIT_SIZE;
  }

  /** Opens existing files and finds the max offset: the last file's units up to the first invalid one. */
  load(): void {
    for (const f of listSegmentFiles(this.dir)) {
      if (f.start % this.fileSize !== 0) continue;
      const prev = this.files[this.files.length - 1];
      if (prev && prev.fileEndOffset !== f.start)
        throw new StratusError("STORE_CORRUPT", `consume queue gap before ${join(this.dir, f.name)}`);
      const seg = Segment.open(this.dir, f.start, this.fileSize, statSync(join(this.dir, f.name)).size);
      seg.wrotePosition = this.fileSize;
      this.files.push(seg);
    }
    const last = this.files[this.files.length - 1];
    if (!last) return;
    last.wrotePosition = this.validUnits(last) * CQ_STORE_UNIT_SIZE;
    this.maxOffset = (last.fileFromOffset + last.wrotePosition) / CQ_STORE_UNIT_SIZE;
    this.minOffset = (this.files[0] as Segment).fileFromOffset / CQ_STORE_UNIT_SIZE;
    this.stagedFrom = this.maxOffset;
  }

  /**
   * Units written in `file`: units are appended in order, so the written ones form a prefix; a binary search
   * finds its end with a few small preads instead of reading the whole file.
   */
  private validUnits(file: Segment): number {
    const valid = (i: number) =>
      isValidConsumeQueueUnit(decodeConsumeQueueUnit(file.read(i * CQ_STORE_UNIT_SIZE, CQ_STORE_UNIT_SIZE)));
    let lo = 0;
    let hi = this.unitsPerFile;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (valid(mid)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Offset the next staged unit gets. */
  get nextOffset(): number {
    return this.stagedFrom + this.staged.length / CQ_STORE_UNIT_SIZE;
  }

  /**
   * Stages the unit for logical offset `q`. Already present (q below the next offset) → skipped, as recovery
   * re-dispatches; a gap is filled with hole units (Apache fillPreBlank), a very large one restarts the queue.
   * Returns whether it was staged.
   */
  put(q: number, unit: ConsumeQueueUnit): boolean {
    let next = this.nextOffset;
    if (q < next) return false;
    if (this.files.length === 0 && this.staged.length === 0 && next === 0 && q > 0) next = this.restartAt(q);
    else if (q - next > MAX_CONSUME_QUEUE_HOLE_UNITS) next = this.restartAt(q);
    for (let h = next; h < q; h++) this.stageUnit({ commitLogOffset: 0, size: CQ_HOLE_SIZE, tagsCode: 0 });
    this.stageUnit(unit);
    return true;
  }

  /**
   * Starts the queue over in the file holding `q` (a queue rebuilt from a CommitLog that no longer holds its
   * first messages, or a gap too large to fill): returns the file start, from which holes lead up to `q`.
   */
  private restartAt(q: number): number {
    this.discardStaged();
    for (const f of this.files.splice(0)) f.destroy();
    const start = q - (q % this.unitsPerFile);
    this.maxOffset = start;
    this.stagedFrom = start;
    this.minOffset = q;
    return start;
  }

  private stageUnit(unit: ConsumeQueueUnit): void {
    const { buf, pos } = this.staged.reserve(CQ_STORE_UNIT_SIZE);
    writeConsumeQueueUnit(buf, pos, unit);
  }

  /** Writes staged units, one pwrite per file touched. */
  writeStaged(): void {
    let q = this.maxOffset;
    const total = this.staged.length / CQ_STORE_UNIT_SIZE;
    let i = 0;
    try {
      while (i < total) {
        const file = this.fileFor(q);
        const n = Math.min(this.unitsPerFile - (q % this.unitsPerFile), total - i);
        const pos = (q % this.unitsPerFile) * CQ_STORE_UNIT_SIZE;
        const bytes = n * CQ_STORE_UNIT_SIZE;
        file.writev([this.staged.view(i * CQ_STORE_UNIT_SIZE, i * CQ_STORE_UNIT_SIZE + bytes)], pos, bytes);
        file.wrotePosition = pos + bytes;
        this.dirty.add(file);
        q += n;
        i += n;
      }
    } finally {
      this.staged.clear();
      this.maxOffset = q;
      this.stagedFrom = q;
    }
  }

  discardStaged(): void {
    this.staged.clear();
    this.stagedFrom = this.maxOffset;
  }

  private fileFor(q: number): Segment {
    const start = Math.floor(q / this.unitsPerFile) * this.fileSize;
    const last = this.files[this.files.length - 1];
    if (last && last.fileFromOffset === start) return last;
    if (last && start < last.fileFromOffset)
      throw new StratusError(
        "STORE_CORRUPT",
        `consume queue ${this.topic}/${this.queueId}: write behind its files`,
      );
    const seg = Segment.create(this.dir, start, this.fileSize);
    this.files.push(seg);
    return seg;
  }

  private findFile(q: number): Segment | undefined {
    const first = this.files[0];
    if (!first) return undefined;
    const seg = this.files[Math.floor((q * CQ_STORE_UNIT_SIZE - first.fileFromOffset) / this.fileSize)];
    return seg && q * CQ_STORE_UNIT_SIZE >= seg.fileFromOffset && q * CQ_STORE_UNIT_SIZE < seg.fileEndOffset
      ? seg
      : undefined;
  }

  /**
   * Units from `q` on, within one file, at most `maxUnits`; undefined if the file holding `q` is gone
   * (Apache getIndexBuffer).
   */
  readUnits(q: number, maxUnits: number): Buffer | undefined {
    if (q < 0 || q >= this.maxOffset) return undefined;
    const file = this.findFile(q);
    if (!file) return undefined;
    const pos = q * CQ_STORE_UNIT_SIZE - file.fileFromOffset;
    const avail = Math.min(file.wrotePosition - pos, maxUnits * CQ_STORE_UNIT_SIZE);
    if (avail <= 0) return undefined;
    return file.read(pos, avail);
  }

  unitAt(q: number): ConsumeQueueUnit | undefined {
    const b = this.readUnits(q, 1);
    return b ? decodeConsumeQueueUnit(b, 0) : undefined;
  }

  /** First logical offset of the file after the one holding `q` (Apache rollNextFile). */
  rollNextFile(q: number): number {
    return q + this.unitsPerFile - (q % this.unitsPerFile);
  }

  /** Drops trailing units whose record ends past `phyEnd` (the CommitLog is the source of truth). */
  truncateDirty(phyEnd: number): void {
    let q = this.maxOffset;
    while (q > this.minOffset) {
      const u = this.unitAt(q - 1);
      if (u && !isHoleUnit(u) && u.commitLogOffset + u.size <= phyEnd) break;
      q--;
    }
    this.truncateTo(q);
  }

  private truncateTo(q: number): void {
    if (q >= this.maxOffset) return;
    const keepStart = Math.floor(q / this.unitsPerFile) * this.fileSize;
    for (let last = this.files[this.files.length - 1]; last && last.fileFromOffset > keepStart; ) {
      last.destroy();
      this.files.pop();
      last = this.files[this.files.length - 1];
    }
    const file = this.files[this.files.length - 1];
    if (file) file.zeroFrom(q * CQ_STORE_UNIT_SIZE - file.fileFromOffset);
    this.maxOffset = q;
    this.stagedFrom = q;
    if (this.minOffset > q) this.minOffset = q;
  }

  /**
   * After CommitLog segments were deleted: delete files wholly below `phyMin` (never the last one) and move the
   * min offset to the first unit whose record still exists (Apache correctMinOffset).
   */
  correctMinOffset(phyMin: number): void {
    while (this.files.length > 1) {
      const first = this.files[0] as Segment;
      const lastUnit = decodeConsumeQueueUnit(
        first.read(first.fileSize - CQ_STORE_UNIT_SIZE, CQ_STORE_UNIT_SIZE),
      );
      if (lastUnit.commitLogOffset + lastUnit.size > phyMin || first.syncInFlight) break;
      first.destroy();
      this.dirty.delete(first);
      this.files.shift();
    }
    const first = this.files[0];
    if (!first) return;
    const firstQ = first.fileFromOffset / CQ_STORE_UNIT_SIZE;
    let q = Math.max(this.minOffset, firstQ);
    const units = this.readUnits(q, this.unitsPerFile);
    if (!units) return;
    for (let at = 0; at < units.length; at += CQ_STORE_UNIT_SIZE, q++) {
      const u = decodeConsumeQueueUnit(units, at);
      if (!isHoleUnit(u) && u.commitLogOffset >= phyMin) break;
    }
    this.minOffset = q;
  }

  /** fdatasyncs the files written since the last call. */
  async sync(): Promise<void> {
    const files = [...this.dirty];
    this.dirty.clear();
    await Promise.all(files.map((f) => f.sync()));
  }

  close(): void {
    for (const f of this.files) f.close();
  }

  /** Deletes the queue's files and directory. */
  destroy(): void {
    this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
