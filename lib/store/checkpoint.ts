/**
 * StoreCheckpoint file (protocol §9.5), one 4 KiB page.
 *
 * Layout (big-endian longs):
 *   @0   physicMsgTimestamp   store time of the last flushed CommitLog record
 *   @8   logicsMsgTimestamp   store time of the last flushed ConsumeQueue unit
 *   @16  indexMsgTimestamp    store time of the last flushed index item
 *   @24  masterFlushedOffset  (5.x; Stratus writes the flushed CommitLog offset)
 *   @32  confirmPhyOffset     (5.x; Stratus writes the CommitLog end at clean shutdown)
 */
import { closeSync, existsSync, fdatasync, fdatasyncSync, openSync, readSync, writeSync } from "node:fs";
import { StratusError } from "../common/errors.js";
import { readLong, writeLong } from "../protocol/message-record.js";

export const CHECKPOINT_FILE_SIZE = 4096;
export const PHYSIC_MSG_TIMESTAMP_POS = 0;
export const LOGICS_MSG_TIMESTAMP_POS = 8;
export const INDEX_MSG_TIMESTAMP_POS = 16;
export const MASTER_FLUSHED_OFFSET_POS = 24;
export const CONFIRM_PHY_OFFSET_POS = 32;
const USED_BYTES = 40;

export interface StoreCheckpointData {
  physicMsgTimestamp: number;
  logicsMsgTimestamp: number;
  indexMsgTimestamp: number;
  masterFlushedOffset: number;
  confirmPhyOffset: number;
}

export function emptyCheckpoint(): StoreCheckpointData {
  return {
    physicMsgTimestamp: 0,
    logicsMsgTimestamp: 0,
    indexMsgTimestamp: 0,
    masterFlushedOffset: 0,
    confirmPhyOffset: 0,
  };
}

export function encodeCheckpoint(c: StoreCheckpointData): Buffer {
  const buf = Buffer.alloc(CHECKPOINT_FILE_SIZE);
  writeLong(buf, PHYSIC_MSG_TIMESTAMP_POS, c.physicMsgTimestamp);
  writeLong(buf, LOGICS_MSG_TIMESTAMP_POS, c.logicsMsgTimestamp);
  writeLong(buf, INDEX_MSG_TIMESTAMP_POS, c.indexMsgTimestamp);
  writeLong(buf, MASTER_FLUSHED_OFFSET_POS, c.masterFlushedOffset);
  writeLong(buf, CONFIRM_PHY_OFFSET_POS, c.confirmPhyOffset);
  return buf;
}

/** Decodes a checkpoint; a short or unreadable one yields zeros (recovery then scans from the first segment). */
export function decodeCheckpoint(buf: Buffer): StoreCheckpointData {
  if (buf.length < USED_BYTES) return emptyCheckpoint();
  try {
    return {
      physicMsgTimestamp: readLong(buf, PHYSIC_MSG_TIMESTAMP_POS),
      logicsMsgTimestamp: readLong(buf, LOGICS_MSG_TIMESTAMP_POS),
      indexMsgTimestamp: readLong(buf, INDEX_MSG_TIMESTAMP_POS),
      masterFlushedOffset: readLong(buf, MASTER_FLUSHED_OFFSET_POS),
      confirmPhyOffset: readLong(buf, CONFIRM_PHY_OFFSET_POS),
    };
  } catch {
    return emptyCheckpoint();
  }
}

/** The checkpoint file: read once at start, rewritten in place after flushes. */
export class StoreCheckpoint {
  data: StoreCheckpointData;
  private readonly fd: number;

  constructor(path: string) {
    const existed = existsSync(path);
    try {
      this.fd = openSync(path, existed ? "r+" : "w+");
    } catch (e) {
      throw new StratusError("STORE_IO", `open checkpoint ${path}`, { cause: e });
    }
    const buf = Buffer.alloc(CHECKPOINT_FILE_SIZE);
    const n = existed ? readSync(this.fd, buf, 0, CHECKPOINT_FILE_SIZE, 0) : 0;
    this.data = decodeCheckpoint(buf.subarray(0, n));
  }

  /** Writes the page; `sync` forces it to disk. */
  flush(sync: boolean): void {
    writeSync(this.fd, encodeCheckpoint(this.data), 0, CHECKPOINT_FILE_SIZE, 0);
    if (sync) fdatasyncSync(this.fd);
  }

  /** Writes the page and fdatasyncs it without blocking the event loop. */
  flushAsync(): Promise<void> {
    writeSync(this.fd, encodeCheckpoint(this.data), 0, CHECKPOINT_FILE_SIZE, 0);
    return new Promise((resolve, reject) => {
      fdatasync(this.fd, (e) =>
        e ? reject(new StratusError("STORE_IO", "fdatasync checkpoint", { cause: e })) : resolve(),
      );
    });
  }

  /** Apache's recovery bound: min(physic, logics, index) minus 3 s. */
  minTimestamp(): number {
    const d = this.data;
    return Math.max(0, Math.min(d.physicMsgTimestamp, d.logicsMsgTimestamp, d.indexMsgTimestamp) - 3000);
  }

  close(): void {
    closeSync(this.fd);
  }
}
