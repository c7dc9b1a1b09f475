/**
 * One fixed-size CommitLog (or ConsumeQueue) file, named by its 20-digit start offset. Writes go to the page
 * cache with pwrite/pwritev; reads use pread; durability comes from fdatasync. Files are created at full size
 * (sparse) so unwritten bytes read as zeros, which recovery treats as the end of data.
 */
import {
  closeSync,
  fdatasync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
  writevSync,
} from "node:fs";
import { join } from "node:path";
import { StratusError } from "../../common/errors.js";
import { offset2FileName } from "../store-path.js";

function io(what: string, e: unknown): StratusError {
  return new StratusError("STORE_IO", what, { cause: e });
}

export class Segment {
  readonly path: string;
  /** Bytes of this file holding data (relative write position). */
  wrotePosition = 0;
  private fd: number;
  private closed = false;
  /** fdatasyncs in flight; close waits for none. */
  private syncing = 0;

  private constructor(
    readonly fileFromOffset: number,
    readonly fileSize: number,
    path: string,
    fd: number,
  ) {
    this.path = path;
    this.fd = fd;
  }

  /** Creates a new zero-filled file (fails if it exists); named by its start offset unless `name` is given. */
  static create(dir: string, fileFromOffset: number, fileSize: number, name?: string): Segment {
    const path = join(dir, name ?? offset2FileName(fileFromOffset));
    try {
      mkdirSync(dir, { recursive: true });
      const fd = openSync(path, "wx+");
      ftruncateSync(fd, fileSize);
      return new Segment(fileFromOffset, fileSize, path, fd);
    } catch (e) {
      throw io(`create ${path}`, e);
    }
  }

  /** Opens an existing file; a file of the wrong size is extended (zeros) or reported as corrupt if larger. */
  static open(
    dir: string,
    fileFromOffset: number,
    fileSize: number,
    actualSize: number,
    name?: string,
  ): Segment {
    const path = join(dir, name ?? offset2FileName(fileFromOffset));
    if (actualSize > fileSize)
      throw new StratusError(
        "STORE_CORRUPT",
        `${path} is ${actualSize} bytes, larger than the configured ${fileSize}`,
      );
    try {
      const fd = openSync(path, "r+");
      if (actualSize < fileSize) ftruncateSync(fd, fileSize);
      return new Segment(fileFromOffset, fileSize, path, fd);
    } catch (e) {
      throw io(`open ${path}`, e);
    }
  }

  get fileEndOffset(): number {
    return this.fileFromOffset + this.fileSize;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Writes `bufs` back to back at relative position `pos` (one pwritev). */
  writev(bufs: Buffer[], pos: number, total: number): void {
    let n: number;
    try {
      n =
        bufs.length === 1
          ? writeSync(this.fd, bufs[0] as Buffer, 0, total, pos)
          : writevSync(this.fd, bufs, pos);
    } catch (e) {
      throw io(`write ${this.path}@${pos}`, e);
    }
    if (n !== total) throw new StratusError("STORE_IO", `short write to ${this.path}: ${n} of ${total}`);
  }

  /** Reads `len` bytes at relative position `pos` into `into` (or a new buffer). */
  read(pos: number, len: number, into?: Buffer): Buffer {
    const buf = into ?? Buffer.allocUnsafe(len);
    let done = 0;
    try {
      while (done < len) {
        const n = readSync(this.fd, buf, done, len - done, pos + done);
        if (n === 0) break;
        done += n;
      }
    } catch (e) {
      throw io(`read ${this.path}@${pos}`, e);
    }
    if (done < len) buf.fill(0, done, len);
    return buf;
  }

  /** fdatasync (asynchronous, so the event loop keeps accepting sends). */
  sync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.syncing++;
    return new Promise<void>((resolve, reject) => {
      fdatasync(this.fd, (e) => {
        this.syncing--;
        if (this.closed && this.syncing === 0) closeSync(this.fd);
        if (e) reject(io(`fdatasync ${this.path}`, e));
        else resolve();
      });
    });
  }

  get syncInFlight(): boolean {
    return this.syncing > 0;
  }

  /** Zeroes everything from `pos` to the end of the file (used to cut a torn tail). */
  zeroFrom(pos: number): void {
    try {
      ftruncateSync(this.fd, pos);
      ftruncateSync(this.fd, this.fileSize);
    } catch (e) {
      throw io(`truncate ${this.path}@${pos}`, e);
    }
    this.wrotePosition = Math.min(this.wrotePosition, pos);
  }

  /** Closes the file (once no fdatasync on it is in flight, so its descriptor is never reused under one). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.syncing === 0) closeSync(this.fd);
  }

  /** Closes and deletes the file. */
  destroy(): void {
    this.close();
    try {
      unlinkSync(this.path);
    } catch (e) {
      throw io(`delete ${this.path}`, e);
    }
  }
}
