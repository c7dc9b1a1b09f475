/**
 * Broker-side UNIQ_KEY for messages whose producer did not set one, in the client id layout:
 * ip(4) + pid(2) + instance hash(4) + ms since month start(4) + counter(2) → 32 uppercase hex chars.
 */
import type { Clock } from "../common/clock.js";
import type { Random } from "../common/random.js";

export class UniqKeyGenerator {
  private readonly prefix: Buffer;
  private counter = 0;

  constructor(
    ipBytes: Buffer,
    private readonly clock: Clock,
    random: Random,
  ) {
    this.prefix = Buffer.alloc(10);
    ipBytes.copy(this.prefix, 0, 0, 4);
    this.prefix.writeUInt16BE(process.pid & 0xffff, 4);
    random.bytes(4).copy(this.prefix, 6);
  }

  next(): string {
    const now = new Date(this.clock.nowMs());
    const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const tail = Buffer.alloc(6);
    tail.writeInt32BE((now.getTime() - monthStart) | 0, 0);
    tail.writeUInt16BE(this.counter, 4);
    this.counter = (this.counter + 1) & 0xffff;
    return Buffer.concat([this.prefix, tail]).toString("hex").toUpperCase();
  }
}
