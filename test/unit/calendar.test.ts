import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { isValidTimeZone, makeCalendar, parseIsoDuration } from "../../src/domain/calendar.ts";

const H = 3_600_000;
const D = 24 * H;

/** The instant of a local wall-clock time "yyyy-MM-dd HH:mm" in zone. */
function at(local: string, zone: string): Date {
  const dt = DateTime.fromFormat(local, "yyyy-MM-dd HH:mm", { zone });
  if (!dt.isValid) throw new Error(`bad fixture ${local}`);
  return dt.toJSDate();
}
function local(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat("yyyy-MM-dd HH:mm ccc");
}

describe("parseIsoDuration", () => {
  it.each([
    ["PT24H", 24 * H],
    ["P7D", 7 * D],
    ["PT30S", 30_000],
    ["P1DT2H", D + 2 * H],
    ["PT90M", 90 * 60_000],
    ["P2W", 14 * D],
    ["PT1.5H", 1.5 * H],
    ["PT0,5S", 500],
    [" pt15m ", 15 * 60_000],
  ])("reads %j as %d ms", (text, ms) => {
    expect(parseIsoDuration(text)).toBe(ms);
  });

  it.each([
    ["P1M", /months are ambiguous/],
    ["P1Y", /years and months/],
    ["P1Y2DT3H", /ambiguous/],
    ["P", /not an ISO-8601 duration/],
    ["PT", /not an ISO-8601 duration/],
    ["P1DT", /not an ISO-8601 duration/],
    ["", /not an ISO-8601 duration/],
    ["24h", /not an ISO-8601 duration/],
    ["-P1D", /not an ISO-8601 duration/],
    ["PT0S", /longer than zero/],
    ["P1.5DT2H", /only the last component/],
    [`PT${"9".repeat(60)}S`, /not an ISO-8601 duration/],
  ])("refuses %j", (text, message) => {
    expect(() => parseIsoDuration(text)).toThrow(message);
  });
});

describe("makeCalendar refuses a bad configuration", () => {
  it.each([
    [{ timezone: "Mars/Olympus_Mons" }, /IANA time zone/],
    [{ timezone: "" }, /IANA time zone/],
    [{ timezone: "UTC", holidays: "XX" }, /holiday calendar/],
    [{ timezone: "UTC", holidays: "US-ZZ" }, /holiday calendar/],
    [{ timezone: "UTC", holidays: "USA" }, /holiday calendar/],
    [{ timezone: "UTC", workingHours: { start: 18, end: 9 } }, /start before they end/],
    [{ timezone: "UTC", workingHours: { start: -1, end: 9 } }, /between 0 and 24/],
    [{ timezone: "UTC", workingHours: { start: 9, end: 25 } }, /between 0 and 24/],
  ])("%j", (options, message) => {
    expect(() => makeCalendar(options)).toThrow(message);
  });

  it("accepts lower-case holiday codes and a region", () => {
    expect(makeCalendar({ timezone: "Europe/London", holidays: "gb" }).holidays).toBe("GB");
    expect(makeCalendar({ timezone: "America/Los_Angeles", holidays: "US-CA" }).holidays).toBe("US-CA");
  });

  it("tells valid IANA zones from invalid ones", () => {
    expect(isValidTimeZone("Asia/Tokyo")).toBe(true);
    expect(isValidTimeZone("Asia/Atlantis")).toBe(false);
  });
});

describe("isBusinessDay", () => {
  const us = makeCalendar({ timezone: "America/New_York", holidays: "US" });
  const gb = makeCalendar({ timezone: "Europe/London", holidays: "GB" });
  const ca = makeCalendar({ timezone: "America/Los_Angeles", holidays: "US-CA" });
  const de = makeCalendar({ timezone: "Europe/Berlin", holidays: "DE" });
  const plain = makeCalendar({ timezone: "UTC" });

  it.each([
    ["a Saturday is not", us, "2026-03-07 12:00", false],
    ["a Sunday is not", us, "2026-03-08 12:00", false],
    ["a plain Monday is", us, "2026-03-09 12:00", true],
    ["US Christmas Day is not", us, "2026-12-25 12:00", false],
    ["US Thanksgiving is not", us, "2026-11-26 12:00", false],
    ["the day after Thanksgiving (a US observance) is", us, "2026-11-27 12:00", true],
    ["US Christmas Eve (optional, not public) is", us, "2026-12-24 12:00", true],
    ["the Independence Day substitute Friday is not", us, "2026-07-03 12:00", false],
    ["GB Christmas Day is not", gb, "2026-12-25 12:00", false],
    ["the GB Boxing Day substitute Monday is not", gb, "2026-12-28 12:00", false],
    ["GB Good Friday is not", gb, "2026-04-03 12:00", false],
    ["Thanksgiving in GB is", gb, "2026-11-26 12:00", true],
    ["César Chávez Day in US-CA is not", ca, "2026-03-31 12:00", false],
    ["Ascension Day in DE is not", de, "2026-05-14 12:00", false],
    ["Christmas without a holiday calendar is", plain, "2026-12-25 12:00", true],
  ])("%s a business day", (_what, cal, when, expected) => {
    expect(cal.isBusinessDay(at(when, cal.timezone))).toBe(expected);
  });

  it("judges the date in the calendar's own time zone", () => {
    // 2026-12-25T03:00Z is still Christmas Eve in New York, Christmas Day in Tokyo.
    expect(us.isBusinessDay(new Date("2026-12-25T03:00:00Z"))).toBe(true);
    const usInTokyo = makeCalendar({ timezone: "Asia/Tokyo", holidays: "US" });
    expect(usInTokyo.isBusinessDay(new Date("2026-12-25T03:00:00Z"))).toBe(false);
  });

  it("answers 100k questions quickly (holidays are cached per year)", () => {
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) us.isBusinessDay(new Date(Date.UTC(2026, 0, 1) + i * 600_000));
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe("addBusinessDays and slaDueAt", () => {
  const us = makeCalendar({ timezone: "America/New_York", holidays: "US" });
  const gb = makeCalendar({ timezone: "Europe/London", holidays: "GB" });
  const berlin = makeCalendar({ timezone: "Europe/Berlin", holidays: "DE" });
  const nyPlain = makeCalendar({ timezone: "America/New_York" });

  it.each([
    ["7 days skip US Thanksgiving", us, "2026-11-20 10:00", 7, "2026-12-02 10:00 Wed"],
    ["7 days without holidays do not", nyPlain, "2026-11-20 10:00", 7, "2026-12-01 10:00 Tue"],
    ["7 days skip the GB Christmas break", gb, "2026-12-23 10:00", 7, "2027-01-06 10:00 Wed"],
    ["1 day from Friday is Monday", us, "2026-03-13 16:30", 1, "2026-03-16 16:30 Mon"],
    ["1 day from Saturday is Monday", us, "2026-03-14 11:00", 1, "2026-03-16 11:00 Mon"],
    ["Berlin spring change keeps 10:00", berlin, "2026-03-26 10:00", 3, "2026-03-31 10:00 Tue"],
    ["Berlin autumn change keeps 10:00", berlin, "2026-10-23 10:00", 1, "2026-10-26 10:00 Mon"],
    ["New York spring change keeps 10:00", us, "2026-03-06 10:00", 1, "2026-03-09 10:00 Mon"],
    ["New York autumn change keeps 10:00", us, "2026-10-30 10:00", 1, "2026-11-02 10:00 Mon"],
  ])("%s", (_what, cal, start, n, expected) => {
    expect(local(cal.addBusinessDays(at(start, cal.timezone), n), cal.timezone)).toBe(expected);
  });

  it("crossing the Berlin spring change is 71 elapsed hours for 3 business days from Thursday", () => {
    const start = at("2026-03-26 10:00", "Europe/Berlin");
    const due = berlin.addBusinessDays(start, 3);
    expect(due.getTime() - start.getTime()).toBe(5 * D - H);
  });

  it("adding zero business days returns the start", () => {
    const start = new Date("2026-03-14T11:00:00Z");
    expect(us.addBusinessDays(start, 0).getTime()).toBe(start.getTime());
  });

  it.each([[-1], [1.5], [Number.NaN]])("refuses %d business days", (n) => {
    expect(() => us.addBusinessDays(new Date(), n)).toThrow(/whole number/);
  });

  it("a duration SLA is elapsed time, even across a DST change", () => {
    const start = at("2026-03-28 12:00", "Europe/Berlin");
    const due = berlin.slaDueAt(start, { kind: "duration", ms: 24 * H });
    expect(due.getTime() - start.getTime()).toBe(24 * H);
    expect(local(due, "Europe/Berlin")).toBe("2026-03-29 13:00 Sun");
  });

  it("a business-day SLA lands on the same local time", () => {
    const due = us.slaDueAt(at("2026-11-20 10:00", "America/New_York"), { kind: "business_days", days: 7 });
    expect(local(due, "America/New_York")).toBe("2026-12-02 10:00 Wed");
  });

  it("refuses a non-positive duration SLA", () => {
    expect(() => us.slaDueAt(new Date(), { kind: "duration", ms: 0 })).toThrow(/positive/);
  });
});

describe("fractionPoint", () => {
  const utc = makeCalendar({ timezone: "UTC" });
  const start = new Date("2026-03-16T10:00:00Z"); // Monday
  const due = new Date("2026-03-23T10:00:00Z"); // 5 business days later

  it.each([
    [0, "2026-03-16T10:00:00.000Z"],
    [0.5, "2026-03-19T22:00:00.000Z"],
    [0.9, "2026-03-22T17:12:00.000Z"],
    [1, "2026-03-23T10:00:00.000Z"],
  ])("in wall time, %d of the way is %s", (fraction, expected) => {
    expect(utc.fractionPoint(start, due, fraction).toISOString()).toBe(expected);
  });

  it.each([
    [0.5, "2026-03-18T22:00:00.000Z"],
    // wall time would say Sunday 17:12; business time keeps it on Friday
    [0.9, "2026-03-20T22:00:00.000Z"],
    [1, "2026-03-23T10:00:00.000Z"],
  ])("in business time, %d of the way is %s", (fraction, expected) => {
    expect(utc.fractionPoint(start, due, fraction, "business").toISOString()).toBe(expected);
  });

  it("measures 7 business days from Friday in business time", () => {
    const friday = new Date("2026-03-13T10:00:00Z");
    const end = utc.slaDueAt(friday, { kind: "business_days", days: 7 });
    expect(end.toISOString()).toBe("2026-03-24T10:00:00.000Z");
    expect(utc.fractionPoint(friday, end, 0.5, "business").toISOString()).toBe("2026-03-18T22:00:00.000Z");
    expect(utc.fractionPoint(friday, end, 0.9, "business").toISOString()).toBe("2026-03-23T17:12:00.000Z");
  });

  it("falls back to wall time when no business time lies in between", () => {
    const sat = new Date("2026-03-14T00:00:00Z");
    const mon = utc.addBusinessDays(sat, 1);
    expect(utc.fractionPoint(sat, mon, 0.5, "business").toISOString()).toBe("2026-03-15T00:00:00.000Z");
  });

  it.each([[-0.1], [1.1], [Number.NaN]])("refuses fraction %d", (fraction) => {
    expect(() => utc.fractionPoint(start, due, fraction)).toThrow(/fraction/);
  });

  it("refuses a due time before the start", () => {
    expect(() => utc.fractionPoint(due, start, 0.5)).toThrow(/before start/);
  });
});

describe("nextWorkingMoment", () => {
  const us = makeCalendar({ timezone: "America/New_York", holidays: "US" });
  const NY = "America/New_York";

  it.each([
    ["inside hours stays put", "2026-03-10 14:00", "2026-03-10 14:00 Tue"],
    ["at opening time stays put", "2026-03-10 09:00", "2026-03-10 09:00 Tue"],
    ["early morning waits for 09:00", "2026-03-10 06:00", "2026-03-10 09:00 Tue"],
    ["at closing time waits for tomorrow", "2026-03-10 18:00", "2026-03-11 09:00 Wed"],
    ["at night waits for tomorrow", "2026-03-10 23:30", "2026-03-11 09:00 Wed"],
    ["Friday evening waits for Monday", "2026-03-13 19:00", "2026-03-16 09:00 Mon"],
    ["Saturday waits for Monday", "2026-03-14 11:00", "2026-03-16 09:00 Mon"],
    ["Thanksgiving waits for Friday", "2026-11-26 10:00", "2026-11-27 09:00 Fri"],
    ["Christmas Eve night waits past the holiday weekend", "2026-12-24 20:00", "2026-12-28 09:00 Mon"],
  ])("%s", (_what, when, expected) => {
    expect(local(us.nextWorkingMoment(at(when, NY), NY), NY)).toBe(expected);
  });

  it("returns a copy, not the caller's Date", () => {
    const inside = at("2026-03-10 14:00", NY);
    const result = us.nextWorkingMoment(inside, NY);
    expect(result).not.toBe(inside);
    expect(result.getTime()).toBe(inside.getTime());
  });

  it.each([
    // 23:30Z: Wednesday 08:30 in Tokyo, Tuesday 16:30 in Los Angeles
    ["2026-03-10T23:30:00Z", "Asia/Tokyo", "2026-03-11 09:00 Wed"],
    ["2026-03-10T23:30:00Z", "America/Los_Angeles", "2026-03-10 16:30 Tue"],
    // 02:00Z: Wednesday 11:00 in Tokyo, Tuesday 19:00 in Los Angeles
    ["2026-03-11T02:00:00Z", "Asia/Tokyo", "2026-03-11 11:00 Wed"],
    ["2026-03-11T02:00:00Z", "America/Los_Angeles", "2026-03-11 09:00 Wed"],
    // Christmas Day in Tokyo is a holiday of the (US) calendar there too
    ["2026-12-24T20:00:00Z", "Asia/Tokyo", "2026-12-28 09:00 Mon"],
  ])("%s for a recipient in %s is %s their time", (instant, tz, expected) => {
    expect(local(us.nextWorkingMoment(new Date(instant), tz), tz)).toBe(expected);
  });

  it("uses the calendar's working hours", () => {
    const early = makeCalendar({ timezone: "Europe/London", workingHours: { start: 8.5, end: 17 } });
    const z = "Europe/London";
    expect(local(early.nextWorkingMoment(at("2026-03-10 08:15", z), z), z)).toBe("2026-03-10 08:30 Tue");
    expect(local(early.nextWorkingMoment(at("2026-03-10 17:00", z), z), z)).toBe("2026-03-11 08:30 Wed");
  });

  it("refuses an unknown recipient time zone", () => {
    expect(() => us.nextWorkingMoment(new Date(), "Nowhere/Else")).toThrow(/IANA time zone/);
  });

  it("answers 100k questions quickly", () => {
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) {
      us.nextWorkingMoment(new Date(Date.UTC(2026, 0, 1) + i * 600_000), i % 2 ? "Asia/Tokyo" : NY);
    }
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
