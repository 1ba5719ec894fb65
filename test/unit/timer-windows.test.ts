import { describe, expect, it } from "vitest";
import { TIMER_WINDOW_MS, timerAt, timerJobId, timerJobs, windowEnd } from "../../src/jobs/timers.ts";

const at = (ms: number) => new Date(ms);
const T = 1_800_000_000_000; // a multiple of the window

describe("timer windows", () => {
  it("a deadline belongs to the window that ends at or after it", () => {
    expect(TIMER_WINDOW_MS).toBe(10);
    expect(windowEnd(at(T))).toBe(T);
    expect(windowEnd(at(T + 1))).toBe(T + 10);
    expect(windowEnd(at(T + 9))).toBe(T + 10);
    expect(windowEnd(at(T + 10))).toBe(T + 10);
  });

  it("a future deadline's timer fires at its window's end, never before the deadline", () => {
    const now = at(T - 5000);
    for (const offset of [0, 1, 3, 9, 10, 11, 999]) {
      const fires = timerAt(at(T + offset), now);
      expect(fires).toBeGreaterThanOrEqual(T + offset);
      expect(fires - (T + offset)).toBeLessThan(TIMER_WINDOW_MS);
    }
  });

  it("a deadline already due goes to the first window still ahead (its own may have fired)", () => {
    expect(timerAt(at(T - 60_000), at(T + 3))).toBe(T + 10);
    expect(timerAt(at(T), at(T))).toBe(T + 10);
    expect(timerAt(at(T + 5), at(T + 2))).toBe(T + 10); // still ahead: its own window
  });

  it("deadlines in one window share one timer with a deterministic id and the right delay", () => {
    const now = at(T - 2000);
    const jobs = timerJobs([at(T + 1), at(T + 4), at(T + 10), at(T + 11), at(T - 9000)], now);
    expect(jobs.map((j) => j.opts.jobId)).toEqual([
      timerJobId(T + 10),
      timerJobId(T + 20),
      timerJobId(T - 1990),
    ]);
    expect(jobs.map((j) => j.opts.delay)).toEqual([2010, 2020, 10]);
    expect(jobs.every((j) => j.name === "deadline.fire" && !j.opts.jobId.includes(":"))).toBe(true);
    expect(jobs[0]!.data).toEqual({ at: T + 10 });
  });

  it("a burst of 10,000 deadlines due in one second needs 100 timers", () => {
    const dues = Array.from({ length: 10_000 }, (_, i) => at(T + 1 + Math.floor(i / 10)));
    expect(timerJobs(dues, at(T - 10_000))).toHaveLength(100);
  });
});
