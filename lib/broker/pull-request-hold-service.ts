/**
 * Long polling: a pull that finds nothing is parked by topic@queueId until a message arrives for that queue
 * (and passes the filter), or until its suspend time runs out; then it is re-run with suspension disabled.
 */
import type { Clock } from "../common/clock.js";
import { MAX_PARKED_PULLS } from "../common/limits.js";
import type { MessageFilter } from "../store/message-store.js";

export interface ParkedPull {
  topic: string;
  queueId: number;
  /** Offset the pull asked for: a message at or past it wakes the pull. */
  pullFromThisOffset: number;
  deadlineMs: number;
  filter: MessageFilter | undefined;
  isClosed(): boolean;
  /** Re-run the pull (suspension off) and send its answer. */
  wake(): void;
}

/** How often parked pulls are checked for timeouts and missed wake-ups. */
export const HOLD_SWEEP_INTERVAL_MS = 200;

export class PullRequestHoldService {
  private readonly table = new Map<string, ParkedPull[]>();
  private count = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly maxOffset: (topic: string, queueId: number) => number,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.sweep(), HOLD_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  /** Wake every parked pull (used at shutdown so nobody waits for a closed broker). */
  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    const all = [...this.table.values()].flat();
    this.table.clear();
    this.count = 0;
    for (const p of all) p.wake();
  }

  /** false when too many pulls are parked: the caller answers at once instead. */
  suspend(pull: ParkedPull): boolean {
    if (this.count >= MAX_PARKED_PULLS) return false;
    const key = `${pull.topic}@${pull.queueId}`;
    let list = this.table.get(key);
    if (!list) {
      list = [];
      this.table.set(key, list);
    }
    list.push(pull);
    this.count++;
    return true;
  }

  parkedCount(): number {
    return this.count;
  }

  /** A message was dispatched to topic/queueId; logicOffset is the queue max offset after it (its offset + 1). */
  notifyMessageArriving(topic: string, queueId: number, logicOffset: number, tagsCode: number): void {
    const key = `${topic}@${queueId}`;
    const list = this.table.get(key);
    if (!list) return;
    const keep: ParkedPull[] = [];
    const woken: ParkedPull[] = [];
    for (const p of list) {
      const matched = !p.filter || p.filter.isMatchedByConsumeQueue(tagsCode);
      if (p.isClosed()) continue;
      if (logicOffset > p.pullFromThisOffset && matched) woken.push(p);
      else keep.push(p);
    }
    this.replace(key, list, keep);
    for (const p of woken) p.wake();
  }

  private replace(key: string, old: ParkedPull[], keep: ParkedPull[]): void {
    this.count -= old.length - keep.length;
    if (keep.length === 0) this.table.delete(key);
    else this.table.set(key, keep);
  }

  private sweep(): void {
    const now = this.clock.monotonicMs();
    for (const [key, list] of [...this.table]) {
      const keep: ParkedPull[] = [];
      const woken: ParkedPull[] = [];
      for (const p of list) {
        if (p.isClosed()) continue;
        if (now >= p.deadlineMs) woken.push(p);
        else if (this.maxOffset(p.topic, p.queueId) > p.pullFromThisOffset) woken.push(p);
        else keep.push(p);
      }
      this.replace(key, list, keep);
      for (const p of woken) p.wake();
    }
  }
}
