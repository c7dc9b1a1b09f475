import { describe, expect, it } from "vitest";
import { DurableScheduleProgress } from "../../../lib/broker/schedule/schedule-progress.js";

describe("DurableScheduleProgress", () => {
  it("records only deliveries whose re-puts lie below the chunk's end", () => {
    const p = new DurableScheduleProgress(undefined);
    expect(p.restored).toBe(false);
    p.noteDelay(100, 1, 5);
    p.noteTimer(150, 0);
    p.noteDelay(300, 1, 6);
    p.noteTimer(320, 2);
    expect(p.progressAt(200)).toEqual({
      schedule: { delay: { "1": 5 }, timerCommitted: 1, timerDelivered: [] },
    });
    expect(p.progressAt(310)).toEqual({
      schedule: { delay: { "1": 6 }, timerCommitted: 1, timerDelivered: [] },
    });
    // timer offset 2 is delivered, 1 is not: committed stays at 1 with 2 recorded above it
    expect(p.progressAt(400)).toEqual({
      schedule: { delay: { "1": 6 }, timerCommitted: 1, timerDelivered: [2] },
    });
  });

  it("restores what a head recorded and ignores malformed fields", () => {
    const p = new DurableScheduleProgress({
      schedule: { delay: { "1": 7, "2": -1, x: 3 }, timerCommitted: 4, timerDelivered: [6, "7", 9] },
    });
    expect(p.restored).toBe(true);
    expect([...p.delayOffsets()]).toEqual([[1, 7]]);
    expect(p.timer()).toEqual({ committed: 4, delivered: [6, 9] });
    expect(new DurableScheduleProgress({ schedule: [] }).restored).toBe(false);
  });
});
