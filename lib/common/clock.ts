/** Time enters through this port so tests can drive it. */
export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  nowMs(): number;
  /** Monotonic milliseconds, for measuring intervals. */
  monotonicMs(): number;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  monotonicMs: () => performance.now(),
};

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  private wallMs: number;
  private monoMs = 0;

  constructor(startMs = 1_700_000_000_000) {
    this.wallMs = startMs;
  }

  nowMs(): number {
    return this.wallMs;
  }

  monotonicMs(): number {
    return this.monoMs;
  }

  advance(ms: number): void {
    this.wallMs += ms;
    this.monoMs += ms;
  }
}
