/** Counters behind GET_BROKER_RUNTIME_INFO and the consume statistics. */
import type { Clock } from "../common/clock.js";

const DAY_MS = 24 * 3600 * 1000;

export class BrokerStats {
  putMessageTimesTotal = 0;
  putMessageSizeTotal = 0;
  getMessageTransferredTotal = 0;
  getFoundTotal = 0;
  getMissTotal = 0;
  private putTotalTodayMorning = 0;
  private putTotalYesterdayMorning = 0;
  private getTotalTodayMorning = 0;
  private getTotalYesterdayMorning = 0;
  private dayStart: number;
  /** (time, putTotal, getTotal) samples for the TPS figures, newest last. */
  private samples: Array<[number, number, number]> = [];

  constructor(private readonly clock: Clock) {
    this.dayStart = Math.floor(clock.nowMs() / DAY_MS) * DAY_MS;
  }

  recordPut(count: number, bytes: number): void {
    this.putMessageTimesTotal += count;
    this.putMessageSizeTotal += bytes;
  }

  recordGet(found: number): void {
    if (found > 0) {
      this.getFoundTotal++;
      this.getMessageTransferredTotal += found;
    } else {
      this.getMissTotal++;
    }
  }

  /** Called once a second: rolls the day counters and keeps a minute of samples for TPS. */
  sample(): void {
    const now = this.clock.nowMs();
    const day = Math.floor(now / DAY_MS) * DAY_MS;
    if (day !== this.dayStart) {
      this.dayStart = day;
      this.putTotalYesterdayMorning = this.putTotalTodayMorning;
      this.getTotalYesterdayMorning = this.getTotalTodayMorning;
      this.putTotalTodayMorning = this.putMessageTimesTotal;
      this.getTotalTodayMorning = this.getMessageTransferredTotal;
    }
    this.samples.push([now, this.putMessageTimesTotal, this.getMessageTransferredTotal]);
    if (this.samples.length > 601) this.samples.shift();
  }

  /** Messages per second over the last `seconds` (put or get). */
  tps(kind: "put" | "get", seconds: number): number {
    const last = this.samples[this.samples.length - 1];
    if (!last) return 0;
    const idx = Math.max(0, this.samples.length - 1 - seconds);
    const first = this.samples[idx];
    if (!first || first[0] === last[0]) return 0;
    const col = kind === "put" ? 1 : 2;
    return ((last[col] - first[col]) * 1000) / (last[0] - first[0]);
  }

  dayCounters(): Record<string, number> {
    return {
      msgPutTotalYesterdayMorning: this.putTotalYesterdayMorning,
      msgPutTotalTodayMorning: this.putTotalTodayMorning,
      msgPutTotalTodayNow: this.putMessageTimesTotal,
      msgGetTotalYesterdayMorning: this.getTotalYesterdayMorning,
      msgGetTotalTodayMorning: this.getTotalTodayMorning,
      msgGetTotalTodayNow: this.getMessageTransferredTotal,
    };
  }
}
