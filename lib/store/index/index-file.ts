/**
 * One IndexFile (layout in index-file-codec.ts). Items are append-only, so the writer stages them and writes
 * each batch with one pwritev plus the header. The hash slots of the file being written live in memory and
 * reach the file when it fills up or at shutdown; after a crash they are rebuilt from the items.
 */
import { StratusError } from "../../common/errors.js";
import { Segment } from "../commitlog/segment.js";
import { StagingBuffer } from "../staging-buffer.js";
import {
  decodeIndexHeader,
  decodeIndexItem,
  encodeIndexHeader,
  HASH_SLOT_SIZE,
  INDEX_HEADER_SIZE,
  INDEX_ITEM_SIZE,
  type IndexHeader,
  type IndexItem,
  indexFileSize,
  indexTimeDiff,
  itemPosition,
  writeIndexItem,
} from "./index-file-codec.js";

/** Items read per pread when rebuilding slots. */
const REBUILD_CHUNK_ITEMS = 64 * 1024;

export class IndexFile {
  header: IndexHeader;
  /** Hash slots while the file is being written; undefined once it is sealed (then read from disk). */
  private slots: Int32Array | undefined;
  private readonly staged = new StagingBuffer(256 * INDEX_ITEM_SIZE);
  private stagedFrom = 0;
  private headerDirty = false;

  private constructor(
    readonly name: string,
    private readonly file: Segment,
    readonly hashSlotNum: number,
    readonly indexNum: number,
    header: IndexHeader,
  ) {
    this.header = header;
    this.stagedFrom = header.indexCount;
  }

  static create(dir: string, name: string, hashSlotNum: number, indexNum: number): IndexFile {
    const file = Segment.create(dir, 0, indexFileSize(hashSlotNum, indexNum), name);
    const header = {
      beginTimestamp: 0,
      endTimestamp: 0,
      beginPhyOffset: 0,
      endPhyOffset: 0,
      hashSlotCount: 0,
      indexCount: 1,
    };
    const f = new IndexFile(name, file, hashSlotNum, indexNum, header);
    f.slots = new Int32Array(hashSlotNum);
    return f;
  }

  static open(
    dir: string,
    name: string,
    hashSlotNum: number,
    indexNum: number,
    actualSize: number,
  ): IndexFile {
    const size = indexFileSize(hashSlotNum, indexNum);
    if (actualSize !== size)
      throw new StratusError("STORE_CORRUPT", `index file ${name} is ${actualSize} bytes, expected ${size}`);
    const file = Segment.open(dir, 0, size, actualSize, name);
    const header = decodeIndexHeader(file.read(0, INDEX_HEADER_SIZE));
    if (header.indexCount < 1 || header.indexCount > indexNum) header.indexCount = 1;
    return new IndexFile(name, file, hashSlotNum, indexNum, header);
  }

  get isFull(): boolean {
    return this.header.indexCount >= this.indexNum;
  }

  get isWritable(): boolean {
    return this.slots !== undefined;
  }

  /** Makes a loaded file writable again: slots from disk (clean stop) or rebuilt from its items (crash). */
  reopenForWrite(slotsOnDiskValid: boolean, phyEnd: number): void {
    if (slotsOnDiskValid) {
      const raw = this.file.read(INDEX_HEADER_SIZE, this.hashSlotNum * HASH_SLOT_SIZE);
      const slots = new Int32Array(this.hashSlotNum);
      for (let i = 0; i < this.hashSlotNum; i++) slots[i] = raw.readInt32BE(i * HASH_SLOT_SIZE);
      this.slots = slots;
      this.truncateBeyond(phyEnd);
    } else {
      this.rebuild(phyEnd);
    }
  }

  /** Replays items (stopping at the first that is unwritten, inconsistent or at/after `phyEnd`) into fresh slots. */
  private rebuild(phyEnd: number): void {
    const slots = new Int32Array(this.hashSlotNum);
    const h = this.header;
    let count = 1;
    let used = 0;
    let last: IndexItem | undefined;
    outer: for (let i = 1; i < this.indexNum; i += REBUILD_CHUNK_ITEMS) {
      const n = Math.min(REBUILD_CHUNK_ITEMS, this.indexNum - i);
      const chunk = this.file.read(itemPosition(this.hashSlotNum, i), n * INDEX_ITEM_SIZE);
      for (let k = 0; k < n; k++) {
        const item = decodeIndexItem(chunk, k * INDEX_ITEM_SIZE);
        const idx = i + k;
        if (item.keyHash < 0 || item.phyOffset < 0 || item.phyOffset >= phyEnd) break outer;
        if (
          item.prevIndex < 0 ||
          item.prevIndex >= idx ||
          (item.phyOffset === 0 && item.keyHash === 0 && item.timeDiff === 0 && idx > 1)
        )
          break outer;
        if (last && item.phyOffset < last.phyOffset) break outer;
        const slot = item.keyHash % this.hashSlotNum;
        if (slots[slot] === 0) used++;
        slots[slot] = idx;
        count = idx + 1;
        last = item;
      }
    }
    this.slots = slots;
    h.indexCount = count;
    h.hashSlotCount = used;
    if (last) {
      h.endPhyOffset = last.phyOffset;
      h.endTimestamp = h.beginTimestamp + last.timeDiff * 1000;
    } else {
      h.beginTimestamp = h.endTimestamp = h.beginPhyOffset = h.endPhyOffset = 0;
    }
    this.stagedFrom = count;
    this.headerDirty = true;
    this.writeStaged();
  }

  /** Drops items at or past `phyEnd` by replaying the ones before it (the file becomes writable). */
  truncateBeyond(phyEnd: number): void {
    if (this.header.indexCount > 1 && this.header.endPhyOffset >= phyEnd) this.rebuild(phyEnd);
  }

  /** Adds one key; false if the file is full. */
  putKey(keyHash: number, phyOffset: number, storeTimestamp: number): boolean {
    const slots = this.slots;
    if (!slots) throw new StratusError("STORE_CORRUPT", `index file ${this.name} is sealed`);
    const h = this.header;
    if (h.indexCount >= this.indexNum) return false;
    if (h.indexCount <= 1) {
      h.beginTimestamp = storeTimestamp;
      h.beginPhyOffset = phyOffset;
    }
    const slot = keyHash % this.hashSlotNum;
    let prev = slots[slot] ?? 0;
    if (prev <= 0 || prev > h.indexCount) prev = 0;
    const { buf, pos } = this.staged.reserve(INDEX_ITEM_SIZE);
    writeIndexItem(buf, pos, {
      keyHash,
      phyOffset,
      timeDiff: indexTimeDiff(storeTimestamp, h.beginTimestamp),
      prevIndex: prev,
    });
    if (prev === 0) h.hashSlotCount++;
    slots[slot] = h.indexCount;
    h.indexCount++;
    h.endPhyOffset = phyOffset;
    h.endTimestamp = storeTimestamp;
    this.headerDirty = true;
    return true;
  }

  /** Writes staged items (one pwritev) and the header. */
  writeStaged(): void {
    if (this.staged.length > 0) {
      const bytes = this.staged.length;
      try {
        this.file.writev([this.staged.view()], itemPosition(this.hashSlotNum, this.stagedFrom), bytes);
      } finally {
        this.staged.clear();
      }
      this.stagedFrom += bytes / INDEX_ITEM_SIZE;
    }
    if (this.headerDirty) {
      this.file.writev([encodeIndexHeader(this.header)], 0, INDEX_HEADER_SIZE);
      this.headerDirty = false;
    }
  }

  discardStaged(): void {
    this.staged.clear();
  }

  /** Writes the in-memory slots to the file and drops them (the file is then read-only). */
  seal(): void {
    const slots = this.slots;
    if (!slots) return;
    this.writeStaged();
    const raw = Buffer.allocUnsafe(this.hashSlotNum * HASH_SLOT_SIZE);
    for (let i = 0; i < this.hashSlotNum; i++) raw.writeInt32BE(slots[i] ?? 0, i * HASH_SLOT_SIZE);
    this.file.writev([raw], INDEX_HEADER_SIZE, raw.length);
    this.slots = undefined;
  }

  private slotValue(slot: number): number {
    if (this.slots) return this.slots[slot] ?? 0;
    return this.file.read(INDEX_HEADER_SIZE + slot * HASH_SLOT_SIZE, HASH_SLOT_SIZE).readInt32BE(0);
  }

  /** Whether any item can lie in [begin, end] (Apache isTimeMatched). */
  isTimeMatched(begin: number, end: number): boolean {
    const h = this.header;
    return h.indexCount > 1 && h.beginTimestamp <= end && h.endTimestamp >= begin;
  }

  /** Physical offsets of items with `keyHash` stored within [begin, end], newest first, at most `maxNum`. */
  selectPhyOffsets(keyHash: number, maxNum: number, begin: number, end: number, out: number[]): void {
    const h = this.header;
    let idx = this.slotValue(keyHash % this.hashSlotNum);
    let guard = 0;
    while (idx > 0 && idx < h.indexCount && out.length < maxNum && guard++ < this.indexNum) {
      const item = decodeIndexItem(this.file.read(itemPosition(this.hashSlotNum, idx), INDEX_ITEM_SIZE));
      const time = h.beginTimestamp + item.timeDiff * 1000;
      if (item.keyHash === keyHash && time >= begin && time <= end) out.push(item.phyOffset);
      if (time < begin || item.prevIndex >= idx) break;
      idx = item.prevIndex;
    }
  }

  sync(): Promise<void> {
    return this.file.sync();
  }

  get syncInFlight(): boolean {
    return this.file.syncInFlight;
  }

  close(): void {
    this.file.close();
  }

  destroy(): void {
    this.file.destroy();
  }
}
