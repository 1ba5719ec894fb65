import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { makeCalendar } from "../../src/domain/calendar.ts";
import { parseReviewConditions, mayReviewAgent } from "../../src/domain/review-outcome.ts";
import { remediationPlan, reviewOverdueAt, reviewPlan, slaPlan } from "../../src/domain/timer-plan.ts";

const H = 3_600_000;
const D = 24 * H;
const at = (l: string, zone: string): Date => {
  const dt = DateTime.fromFormat(l, "yyyy-MM-dd HH:mm", { zone });
  if (!dt.isValid) throw new Error(`bad fixture ${l}`);
  return dt.toJSDate();
};
const local = (d: Date | null, zone: string): string | null =>
  d && DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd HH:mm ccc");

describe("business days the SLA clocks rely on", () => {
  const gb = makeCalendar({ timezone: "Europe/London", holidays: "GB" });
  const us = makeCalendar({ timezone: "America/New_York", holidays: "US" });
  const bavaria = makeCalendar({ timezone: "Europe/Berlin", holidays: "DE-BY" });
  const germany = makeCalendar({ timezone: "Europe/Berlin", holidays: "DE" });
  const cairo = makeCalendar({ timezone: "Africa/Cairo" });

  it.each([
    ["Easter: Good Friday and Easter Monday are skipped", gb, "2026-04-02 10:00", 1, "2026-04-07 10:00 Tue"],
    [
      "a start on a holiday counts from the next business day",
      gb,
      "2026-12-25 12:00",
      1,
      "2026-12-29 12:00 Tue",
    ],
    [
      "US year end: Christmas and New Year skipped, Christmas Eve (optional) is not",
      us,
      "2026-12-21 09:00",
      14,
      "2027-01-12 09:00 Tue",
    ],
    [
      "a regional holiday counts only in its region (Epiphany in Bavaria)",
      bavaria,
      "2026-01-05 10:00",
      1,
      "2026-01-07 10:00 Wed",
    ],
    ["…and not in Germany as a whole", germany, "2026-01-05 10:00", 1, "2026-01-06 10:00 Tue"],
    [
      "a due time inside a weekday DST gap moves forward by the gap (Cairo, midnight skipped)",
      cairo,
      "2026-04-23 00:30",
      1,
      "2026-04-24 01:30 Fri",
    ],
  ])("%s", (_what, cal, start, n, expected) => {
    expect(local(cal.addBusinessDays(at(start, cal.timezone), n), cal.timezone)).toBe(expected);
  });

  it("measures business time across a weekday with a skipped midnight", () => {
    const start = at("2026-04-22 12:00", "Africa/Cairo");
    const due = cairo.addBusinessDays(start, 3);
    // Wed 12 h + Thu 24 h + Fri 23 h (the gap) + Mon 12 h = 71 business hours.
    expect(local(cairo.fractionPoint(start, due, 0.5, "business"), "Africa/Cairo")).toBe(
      "2026-04-23 23:30 Thu",
    );
    expect(local(cairo.fractionPoint(start, due, 0.9, "business"), "Africa/Cairo")).toBe(
      "2026-04-27 04:54 Mon",
    );
  });
});

describe("slaPlan", () => {
  const gb = makeCalendar({ timezone: "Europe/London", holidays: "GB" });

  it("puts the 50% and 90% reminders of a business-day SLA on business days (Easter 2026)", () => {
    const plan = slaPlan(gb, at("2026-04-02 10:00", "Europe/London"), { kind: "business_days", days: 7 });
    expect(local(plan.dueAt, "Europe/London")).toBe("2026-04-15 10:00 Wed");
    expect(plan.reminders.map((r) => [r.percent, local(r.at, "Europe/London")])).toEqual([
      [50, "2026-04-09 22:00 Thu"],
      [90, "2026-04-14 17:12 Tue"],
    ]);
    for (const r of plan.reminders) expect(gb.isBusinessDay(r.at)).toBe(true);
  });

  it("never lands a reminder on a weekend, whatever the start", () => {
    for (let day = 0; day < 14; day++) {
      const start = new Date(Date.UTC(2026, 5, 1 + day, 15, 0));
      const plan = slaPlan(gb, start, { kind: "business_days", days: 3 });
      for (const r of plan.reminders) expect(gb.isBusinessDay(r.at), start.toISOString()).toBe(true);
    }
  });

  it("splits a duration SLA in wall time, weekends included", () => {
    const start = at("2026-04-03 12:00", "Europe/London"); // Good Friday
    const plan = slaPlan(gb, start, { kind: "duration", ms: 24 * H });
    expect(plan.dueAt.getTime() - start.getTime()).toBe(24 * H);
    expect(plan.reminders.map((r) => r.at.getTime() - start.getTime())).toEqual([12 * H, 21.6 * H]);
  });
});

describe("reviewPlan", () => {
  const now = new Date("2026-06-01T10:00:00Z");

  it("reminds 14 days before and on the day, and escalates a day after, then weekly", () => {
    const due = new Date("2026-07-01T10:00:00Z");
    const plan = reviewPlan(due, now);
    expect(plan.early?.toISOString()).toBe("2026-06-17T10:00:00.000Z");
    expect(plan.dueDay).toEqual(due);
    expect(plan.firstOverdue.toISOString()).toBe("2026-07-02T10:00:00.000Z");
    expect(reviewOverdueAt(due, 1)).toEqual(plan.firstOverdue);
    expect(reviewOverdueAt(due, 3).getTime() - reviewOverdueAt(due, 2).getTime()).toBe(7 * D);
  });

  it("skips the early reminder when it is already past", () => {
    expect(reviewPlan(new Date(now.getTime() + 10 * D), now).early).toBeNull();
  });
});

describe("remediationPlan", () => {
  const zone = "Europe/Berlin";

  it("reminds 3 days before and at the start of the deadline's day, escalating at the deadline", () => {
    const plan = remediationPlan(at("2026-09-30 18:00", zone), zone, at("2026-09-01 09:00", zone));
    expect(local(plan.early, zone)).toBe("2026-09-27 18:00 Sun");
    expect(local(plan.onTheDay, zone)).toBe("2026-09-30 00:00 Wed");
    expect(local(plan.overdue, zone)).toBe("2026-09-30 18:00 Wed");
  });

  it("reminds the day before a deadline at midnight (the day itself has no time left)", () => {
    const plan = remediationPlan(at("2026-09-30 00:00", zone), zone, at("2026-09-01 09:00", zone));
    expect(local(plan.onTheDay, zone)).toBe("2026-09-29 00:00 Tue");
    expect(local(plan.early, zone)).toBe("2026-09-27 00:00 Sun");
  });

  it("skips reminders already past but always escalates", () => {
    const plan = remediationPlan(at("2026-09-30 18:00", zone), zone, at("2026-09-30 09:00", zone));
    expect(plan.early).toBeNull();
    expect(plan.onTheDay).toBeNull();
    expect(local(plan.overdue, zone)).toBe("2026-09-30 18:00 Wed");
  });
});

describe("review conditions typed in the modal", () => {
  const now = at("2026-06-10 12:00", "Europe/London");

  it("reads one condition per line, with an optional 'by' date at 18:00 local", () => {
    const r = parseReviewConditions(
      "- Add PII redaction by 2026-07-01\n\n• Weekly cost report",
      now,
      "Europe/London",
    );
    expect(r.ok && r.conditions.map((c) => [c.text, local(c.deadline, "Europe/London")])).toEqual([
      ["Add PII redaction", "2026-07-01 18:00 Wed"],
      ["Weekly cost report", "2026-07-10 18:00 Fri"],
    ]);
  });

  it.each([
    ["a past date", "Fix it by 2026-06-01", /after today/],
    ["an impossible date", "Fix it by 2026-02-30", /not a date/],
    ["a date without a condition", "by 2026-07-01", /no condition/],
    ["too many lines", Array.from({ length: 11 }, (_, i) => `c${i}`).join("\n"), /At most 10/],
    ["an overlong line", "x".repeat(501), /longer than 500/],
  ])("refuses %s", (_what, raw, message) => {
    const r = parseReviewConditions(raw, now, "Europe/London");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it("lets owners, the chair and the co-chair review, nobody else", () => {
    const people = { businessOwner: "UB", technicalOwner: "UT", chair: "UC", coChair: "UCO" };
    expect(["UB", "UT", "UC", "UCO"].every((u) => mayReviewAgent(people, u))).toBe(true);
    expect(mayReviewAgent(people, "UX")).toBe(false);
    expect(mayReviewAgent(people, "")).toBe(false);
  });
});
