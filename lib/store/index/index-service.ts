/**
 * The IndexFiles under index/ (protocol §9.4): keys `topic#UNIQ_KEY` and `topic#k` for each KEYS entry, files
 * named by their creation time (yyyyMMddHHmmssSSS), a new one when the current is full; queries newest first.
 */
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../../common/clock.js";
import { MessageConst } from "../../protocol/message-properties.js";
import { MessageSysFlag } from "../../protocol/message-sys-flag.js";
import { IndexFile } from "./index-file.js";
import { indexKeyHash } from "./index-file-codec.js";

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** Apache UtilAll.timeMillisToHumanString: local time as yyyyMMddHHmmssSSS. */
export function indexFileName(ms: number): string {
  const d = new Date(ms);
  return (
    pad(d.getFullYear(), 4) +
    pad(d.getMonth() + 1, 2) +
    pad(d.getDate(), 2) +
    pad(d.getHours(), 2) +
    pad(d.getMinutes(), 2) +
    pad(d.getSeconds(), 2) +
    pad(d.getMilliseconds(), 3)
  );
}

export function buildIndexKey(topic: string, key: string): string {
  return `${topic}#${key}`;
}

export class IndexService {
  readonly files: IndexFile[] = [];
  private readonly dirty = new Set<IndexFile>();

  constructor(
    readonly dir: string,
    readonly hashSlotNum: number,
    readonly indexNum: number,
    private readonly clock: Clock,
  ) {}

  /** Opens existing files; the newest becomes writable again (slots rebuilt unless the last stop was clean). */
  load(lastExitOK: boolean): void {
    mkdirSync(this.dir, { recursive: true });
    const names = readdirSync(this.dir)
      .filter((n) => /^\d{17}$/.test(n))
      .sort();
    for (const name of names) {
      this.files.push(
        IndexFile.open(this.dir, name, this.hashSlotNum, this.indexNum, statSync(join(this.dir, name)).size),
      );
    }
    const last = this.files[this.files.length - 1];
    if (last && !last.isFull) last.reopenForWrite(lastExitOK, Number.MAX_SAFE_INTEGER);
  }

  /** Drops items for records at or past `phyEnd` (after recovery cut the CommitLog there). */
  truncateBeyond(phyEnd: number): void {
    for (let last = this.files[this.files.length - 1]; last; last = this.files[this.files.length - 1]) {
      if (last.header.indexCount <= 1 || last.header.beginPhyOffset < phyEnd) break;
      last.destroy();
      this.dirty.delete(last);
      this.files.pop();
    }
    const last = this.files[this.files.length - 1];
    if (last && last.header.indexCount > 1 && last.header.endPhyOffset >= phyEnd) last.truncateBeyond(phyEnd);
  }

  /** Physical offset of the newest indexed message (-1 if none). */
  get lastIndexedPhyOffset(): number {
    for (let i = this.files.length - 1; i >= 0; i--) {
      const h = (this.files[i] as IndexFile).header;
      if (h.indexCount > 1) return h.endPhyOffset;
    }
    return -1;
  }

  get lastUpdateTimestamp(): number {
    return this.files[this.files.length - 1]?.header.endTimestamp ?? 0;
  }

  private writable(): IndexFile {
    const last = this.files[this.files.length - 1];
    if (last?.isWritable && !last.isFull) return last;
    if (last?.isWritable) {
      last.seal();
      this.dirty.add(last);
    }
    let ms = this.clock.nowMs();
    const taken = new Set(this.files.map((f) => f.name));
    while (taken.has(indexFileName(ms)) || (last && indexFileName(ms) <= last.name)) ms++;
    const f = IndexFile.create(this.dir, indexFileName(ms), this.hashSlotNum, this.indexNum);
    this.files.push(f);
    return f;
  }

  private putKey(key: string, phyOffset: number, storeTimestamp: number): void {
    const hash = indexKeyHash(key);
    let f = this.writable();
    if (!f.putKey(hash, phyOffset, storeTimestamp)) {
      f = this.writable();
      f.putKey(hash, phyOffset, storeTimestamp);
    }
    this.dirty.add(f);
  }

  /** Indexes one record (Apache IndexService.buildIndex); already indexed offsets and ROLLBACK records are skipped. */
  buildIndex(
    topic: string,
    phyOffset: number,
    storeTimestamp: number,
    sysFlag: number,
    uniqKey: string | undefined,
    keys: string | undefined,
  ): void {
    if ((sysFlag & MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) === MessageSysFlag.TRANSACTION_ROLLBACK_TYPE)
      return;
    if (phyOffset <= this.lastIndexedPhyOffset) return;
    if (uniqKey) this.putKey(buildIndexKey(topic, uniqKey), phyOffset, storeTimestamp);
    if (keys) {
      for (const k of keys.split(MessageConst.KEY_SEPARATOR)) {
        if (k.length > 0) this.putKey(buildIndexKey(topic, k), phyOffset, storeTimestamp);
      }
    }
  }

  writeStaged(): void {
    for (const f of this.dirty) f.writeStaged();
  }

  discardStaged(): void {
    for (const f of this.files) f.discardStaged();
  }

  /** Physical offsets for `topic#key` stored within [begin, end], newest files first. */
  queryOffsets(topic: string, key: string, maxNum: number, begin: number, end: number): number[] {
    const out: number[] = [];
    const hash = indexKeyHash(buildIndexKey(topic, key));
    for (let i = this.files.length - 1; i >= 0 && out.length < maxNum; i--) {
      const f = this.files[i] as IndexFile;
      if (f.isTimeMatched(begin, end)) f.selectPhyOffsets(hash, maxNum, begin, end, out);
    }
    return out;
  }

  /** Deletes files whose newest item is below `phyMin` (never the newest file). */
  deleteExpired(phyMin: number): void {
    while (this.files.length > 1) {
      const f = this.files[0] as IndexFile;
      if (f.header.endPhyOffset >= phyMin || f.syncInFlight) break;
      f.destroy();
      this.dirty.delete(f);
      this.files.shift();
    }
  }

  /** fdatasyncs files written since the last call. */
  async sync(): Promise<void> {
    const files = [...this.dirty];
    this.dirty.clear();
    await Promise.all(files.map((f) => f.sync()));
  }

  /** Writes staged items and the newest file's slots (so a clean start can read them), then closes. */
  shutdown(): void {
    const last = this.files[this.files.length - 1];
    last?.writeStaged();
    if (last?.isWritable) last.seal();
    for (const f of this.files) f.close();
  }
}
