/**
 * Runtime counters for GET_BROKER_RUNTIME_INFO (names as Apache's StoreStatsService prints them).
 */
import type { Clock } from "../common/clock.js";

/** Samples kept for the TPS windows (one per second, 10 minutes). */
const SAMPLE_COUNT = 601;
const SAMPLE_INTERVAL_MS = 1000;

interface Sample {
  at: number;
  puts: number;
  getsFound: number;
  getsMiss: number;
  transferred: number;
}

function tps(samples: readonly Sample[], windowMs: number, pick: (s: Sample) => number): string {
  const last = samples[samples.length - 1];
  if (!last) return "0.00";
  let first = last;
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i] as Sample;
    if (last.at - s.at > windowMs) break;
    first = s;
  }
  const dt = last.at - first.at;
  return dt > 0 ? (((pick(last) - pick(first)) * 1000) / dt).toFixed(2) : "0.00";
}

export class StoreStats {
  putMessageTimesTotal = 0;
  putMessageSizeTotal = 0;
  getMessageTimesTotalFound = 0;
  getMessageTimesTotalMiss = 0;
  getMessageTransferedMsgCount = 0;
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly startMs: number;

  constructor(private readonly clock: Clock) {
    this.startMs = clock.nowMs();
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  sample(): void {
    this.samples.push({
      at: this.clock.monotonicMs(),
      puts: this.putMessageTimesTotal,
      getsFound: this.getMessageTimesTotalFound,
      getsMiss: this.getMessageTimesTotalMiss,
      transferred: this.getMessageTransferedMsgCount,
    });
    if (this.samples.length > SAMPLE_COUNT) this.samples.shift();
  }

  onPut(messages: number, bytes: number): void {
    this.putMessageTimesTotal += messages;
    this.putMessageSizeTotal += bytes;
  }

  onGet(found: boolean, messages: number): void {
    if (found) this.getMessageTimesTotalFound++;
    else this.getMessageTimesTotalMiss++;
    this.getMessageTransferedMsgCount += messages;
  }

  private windows(pick: (s: Sample) => number): string {
    return [10_000, 60_000, 600_000].map((w) => tps(this.samples, w, pick)).join(" ");
  }

  runtimeInfo(extra: Record<string, number>): Record<string, string> {
    const info: Record<string, string> = {
      bootTimestamp: String(this.startMs),
      putMessageTimesTotal: String(this.putMessageTimesTotal),
      putMessageSizeTotal: String(this.putMessageSizeTotal),
      getMessageTimesTotalFound: String(this.getMessageTimesTotalFound),
      getMessageTimesTotalMiss: String(this.getMessageTimesTotalMiss),
      getMessageTransferedMsgCount: String(this.getMessageTransferedMsgCount),
      putTps: this.windows((s) => s.puts),
      getFoundTps: this.windows((s) => s.getsFound),
      getMissTps: this.windows((s) => s.getsMiss),
      getTotalTps: this.windows((s) => s.getsFound + s.getsMiss),
      getTransferedTps: this.windows((s) => s.transferred),
    };
    for (const [k, v] of Object.entries(extra)) info[k] = String(v);
    return info;
  }
}
