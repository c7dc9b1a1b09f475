/**
 * A growable byte area the writer fills during one append batch and writes out at its end; reused across
 * batches (writes are synchronous, so the kernel has copied the bytes before the next batch starts).
 */

/** Capacity kept between batches by default; a larger buffer is released after use. */
const DEFAULT_RETAINED_BYTES = 256 * 1024;

export class StagingBuffer {
  private buf: Buffer;
  /** Bytes staged. */
  length = 0;

  constructor(
    private readonly initialBytes = 1024,
    private readonly retainedBytes = DEFAULT_RETAINED_BYTES,
  ) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Reserves `n` bytes and returns the buffer and where they start. */
  reserve(n: number): { buf: Buffer; pos: number } {
    if (this.length + n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    const pos = this.length;
    this.length += n;
    return { buf: this.buf, pos };
  }

  /** Staged bytes [from, to) (a view, valid until the next reserve or clear). */
  view(from = 0, to = this.length): Buffer {
    return this.buf.subarray(from, to);
  }

  clear(): void {
    this.length = 0;
    if (this.buf.length > this.retainedBytes) this.buf = Buffer.allocUnsafe(this.initialBytes);
  }
}
