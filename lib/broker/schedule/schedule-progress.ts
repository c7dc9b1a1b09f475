/**
 * Delay-level cursors and timer progress as the object store knows them, so a broker that lost its disk (or
 * runs objectStore durability) delivers scheduled and timer messages it finds only in the object store — at
 * their time, and neither lost nor delivered twice because of the lost disk.
 *
 * The local files (config/delayOffset.json, config/timercheck.json) go with the disk. So each delivery is also
 * noted here with the CommitLog end of its re-put record, and the tier records, with every chunk it commits,
 * the progress made by the deliveries whose re-puts lie below that chunk's end (the manifest head's details):
 * exactly the deliveries whose result the object store holds. A broker started without the local files takes
 * this progress; deliveries whose re-puts the disk took with it are made again.
 */
import type { JsonObject } from "../../ports/records/record-codec.js";

/** Deliveries noted and not yet covered by a committed chunk, at most (past it, notes are dropped: redelivery). */
export const MAX_PENDING_PROGRESS_NOTES = 1_000_000;
/** Delivered timer offsets above the timer's committed offset recorded in the manifest, at most. */
export const MAX_RECORDED_TIMER_DELIVERED = 10_000;

type Note =
  | { end: number; kind: "delay"; level: number; offset: number }
  | { end: number; kind: "timer"; queueOffset: number };

export interface TimerProgress {
  committed: number;
  delivered: number[];
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

export class DurableScheduleProgress {
  private readonly notes: Note[] = [];
  private readonly delay = new Map<number, number>();
  private timerCommitted = 0;
  private readonly timerDelivered = new Set<number>();
  /** Whether the tier recorded any progress (a manifest written before this existed has none). */
  readonly restored: boolean;

  /** `details`: the manifest head's details as the tier loaded them. */
  constructor(details: JsonObject | undefined) {
    const s = details?.schedule;
    const o = s && typeof s === "object" && !Array.isArray(s) ? s : undefined;
    this.restored = o !== undefined;
    const delay = o?.delay;
    if (delay && typeof delay === "object" && !Array.isArray(delay))
      for (const [level, offset] of Object.entries(delay))
        if (isCount(Number(level)) && isCount(offset)) this.delay.set(Number(level), offset);
    if (isCount(o?.timerCommitted)) this.timerCommitted = o.timerCommitted;
    const delivered = o?.timerDelivered;
    if (Array.isArray(delivered)) for (const d of delivered) if (isCount(d)) this.timerDelivered.add(d);
  }

  /** Delay cursors as the object store knows them. */
  delayOffsets(): Map<number, number> {
    return new Map(this.delay);
  }

  timer(): TimerProgress {
    return { committed: this.timerCommitted, delivered: [...this.timerDelivered] };
  }

  /** A delivery of delay level `level` moved its cursor to `offset`; its re-put ends at CommitLog `end`. */
  noteDelay(end: number, level: number, offset: number): void {
    this.note({ end, kind: "delay", level, offset });
  }

  /** Timer message `queueOffset` was delivered; its re-put ends at CommitLog `end`. */
  noteTimer(end: number, queueOffset: number): void {
    this.note({ end, kind: "timer", queueOffset });
  }

  /** Told after each note (the tier writes the head on its own when no chunk comes to carry it). */
  onNote: (() => void) | undefined;

  private note(n: Note): void {
    if (this.notes.length < MAX_PENDING_PROGRESS_NOTES) this.notes.push(n);
    this.onNote?.();
  }

  /** Whether a delivery noted below `end` is not recorded yet. */
  unrecorded(end: number): boolean {
    return this.notes.some((n) => n.end <= end);
  }

  /** The progress to record with a chunk ending at CommitLog offset `end` (the manifest head's details). */
  progressAt(end: number): JsonObject {
    let i = 0;
    // re-puts are appended in the order they are noted per service; a note past `end` waits for a later chunk
    for (const n of this.notes) {
      if (n.end > end) continue;
      if (n.kind === "delay") this.delay.set(n.level, Math.max(this.delay.get(n.level) ?? 0, n.offset));
      else this.timerDelivered.add(n.queueOffset);
      i++;
    }
    if (i > 0) {
      const left = this.notes.filter((n) => n.end > end);
      this.notes.length = 0;
      this.notes.push(...left);
    }
    while (this.timerDelivered.delete(this.timerCommitted)) this.timerCommitted++;
    const delivered = [...this.timerDelivered].sort((a, b) => a - b).slice(0, MAX_RECORDED_TIMER_DELIVERED);
    return {
      schedule: {
        delay: Object.fromEntries([...this.delay].map(([l, o]) => [String(l), o])),
        timerCommitted: this.timerCommitted,
        timerDelivered: delivered,
      },
    };
  }
}
