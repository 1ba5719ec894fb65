import { sql } from "drizzle-orm";
import { queryRows } from "../db/client.ts";
import { pgArray } from "../db/pg-array.ts";
import { deadlines } from "../db/schema/index.ts";
import type { Deps } from "../services/deps.ts";

/**
 * Deadlines due in the same window of this many milliseconds share one
 * timer: one delayed BullMQ job that fires at the window's end and fires
 * every deadline then due (see the deadline.fire processor). A burst of
 * 10,000 deadlines due in one second is then 100 timers, not 10,000 jobs to
 * promote, run or remove; a deadline alone in its window fires at most this
 * late.
 */
export const TIMER_WINDOW_MS = 10;

/** A timer closer than this to firing is left alone by clean-ups: it fires soon and finds nothing. */
const FIRING_SOON_MS = 1000;

export interface TimerJob {
  name: "deadline.fire";
  data: { at: number };
  opts: { jobId: string; delay: number };
}

/** The deterministic id of the timer that fires at `at` (epoch ms, a window's end). */
export const timerJobId = (at: number): string => `timer-${at}`;

/** The end of the window holding `dueAt` (windows are (end − W, end]). */
export const windowEnd = (dueAt: Date): number =>
  Math.ceil(dueAt.getTime() / TIMER_WINDOW_MS) * TIMER_WINDOW_MS;

/**
 * When the timer for a deadline fires: at the end of its window, or, if that
 * moment has come (the deadline is already due, and its window's timer may
 * have run), at the end of the first window still ahead.
 */
export function timerAt(dueAt: Date, now: Date): number {
  const end = windowEnd(dueAt);
  if (end > now.getTime()) return end;
  return (Math.floor(now.getTime() / TIMER_WINDOW_MS) + 1) * TIMER_WINDOW_MS;
}

/** The timer jobs for deadlines due at these instants, one per window. */
export function timerJobs(dueTimes: Iterable<Date>, now: Date): TimerJob[] {
  const ats = new Set<number>();
  for (const dueAt of dueTimes) ats.add(timerAt(dueAt, now));
  return [...ats].map((at) => timerJob(at, now));
}

export function timerJob(at: number, now: Date): TimerJob {
  return {
    name: "deadline.fire",
    data: { at },
    opts: { jobId: timerJobId(at), delay: Math.max(0, at - now.getTime()) },
  };
}

/** Of these window ends, those whose window holds no pending deadline. */
export async function emptyWindows(deps: Pick<Deps, "db">, ats: number[]): Promise<number[]> {
  if (!ats.length) return [];
  const rows = await queryRows<{ at: string }>(
    deps.db,
    sql`select w.at from unnest(${pgArray(ats)}::bigint[]) as w(at)
        where not exists (
          select 1 from ${deadlines}
          where ${deadlines.status} = 'pending'
            and ${deadlines.dueAt} > to_timestamp((w.at - ${TIMER_WINDOW_MS}) / 1000.0)
            and ${deadlines.dueAt} <= to_timestamp(w.at / 1000.0))`,
  );
  return rows.map((r) => Number(r.at));
}

/**
 * Removes the timers of windows left with no pending deadline (after a
 * cancellation or a move), so Redis holds only timers that will do
 * something. Timers about to fire are left to fire. A deadline scheduled
 * into one of these windows meanwhile may have found the timer still there
 * and added nothing: such windows are looked at again after the removal and
 * get their timer back. Returns how many timers were removed.
 */
export async function dropEmptyTimers(
  deps: Pick<Deps, "db" | "jobs" | "now">,
  ats: number[],
): Promise<number> {
  const soon = deps.now().getTime() + FIRING_SOON_MS;
  const empty = await emptyWindows(
    deps,
    [...new Set(ats)].filter((at) => at > soon),
  );
  if (!empty.length) return 0;
  await Promise.all(empty.map((at) => deps.jobs.remove(timerJobId(at)).catch(() => {})));
  const stillEmpty = new Set(await emptyWindows(deps, empty));
  const refilled = empty.filter((at) => !stillEmpty.has(at));
  if (refilled.length) {
    const now = deps.now();
    await deps.jobs.addBulk(refilled.map((at) => timerJob(at, now)));
  }
  return empty.length - refilled.length;
}
