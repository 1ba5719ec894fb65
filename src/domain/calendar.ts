import Holidays from "date-holidays";
import { IANAZone } from "luxon";
import type { SlaSpec } from "./iso-duration.ts";

/**
 * Business days and SLA clocks.
 *
 * Invariants:
 * - A business day is a local civil date (in the zone asked about) that is not
 *   a Saturday or Sunday and not a *public* holiday of the configured
 *   date-holidays calendar (observances, optional, bank and school days do not
 *   count). A public holiday that starts mid-day (e.g. 14:00) blocks the whole
 *   date.
 * - Holiday dates are civil dates: a calendar configured "US" in
 *   Europe/Berlin treats 2026-12-25 00:00–24:00 Berlin time as the holiday.
 * - Arithmetic happens on local civil dates and converts to an instant once, so
 *   a local wall-clock time survives DST changes (10:00 stays 10:00).
 */

const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;

export { parseIsoDuration, type SlaSpec } from "./iso-duration.ts";

// ── zones and local civil dates ────────────────────────────────────────────

/**
 * A zone's UTC offset (minutes) with a memo per UTC hour: an hour whose both
 * ends share an offset holds no transition (zones change offset at most once
 * an hour), so any instant in it has that offset. Hours with a transition are
 * asked exactly. Intl lookups cost microseconds; this runs 100k times a minute.
 */
type ZoneClock = { readonly name: string; offset(ms: number): number };
const clocks = new Map<string, ZoneClock>();
const MIXED = Number.NaN;

export function isValidTimeZone(tz: string): boolean {
  return typeof tz === "string" && tz.length > 0 && (clocks.has(tz) || IANAZone.isValidZone(tz));
}

function clockOf(tz: string): ZoneClock {
  const cached = clocks.get(tz);
  if (cached) return cached;
  if (!isValidTimeZone(tz)) {
    throw new RangeError(`${JSON.stringify(tz)} is not an IANA time zone like Europe/London`);
  }
  const zone = IANAZone.create(tz);
  const hours = new Map<number, number>();
  const clock: ZoneClock = {
    name: tz,
    offset(ms) {
      const hour = Math.floor(ms / MS_PER_HOUR);
      let known = hours.get(hour);
      if (known === undefined) {
        const first = zone.offset(hour * MS_PER_HOUR);
        known = first === zone.offset(hour * MS_PER_HOUR + MS_PER_HOUR - 1) ? first : MIXED;
        if (hours.size >= 200_000) hours.clear();
        hours.set(hour, known);
      }
      return Number.isNaN(known) ? zone.offset(ms) : known;
    },
  };
  clocks.set(tz, clock);
  return clock;
}

/** A local civil date as days since 1970-01-01, and the time of day on it. */
type Local = { day: number; msOfDay: number };

function toLocal(ms: number, clock: ZoneClock): Local {
  const localMs = ms + clock.offset(ms) * 60_000;
  const day = Math.floor(localMs / MS_PER_DAY);
  return { day, msOfDay: localMs - day * MS_PER_DAY };
}

/**
 * The instant of a local wall-clock time, resolved as luxon does: a time in a
 * spring-forward gap moves forward by the gap (02:30 becomes 03:30); a time in
 * a fall-back overlap takes one of its two readings. Both only happen in the
 * night of a DST change, which falls on a weekend in the zones we serve.
 */
function fromLocal(day: number, msOfDay: number, clock: ZoneClock): number {
  const localMs = day * MS_PER_DAY + msOfDay;
  const o1 = clock.offset(localMs);
  let guess = localMs - o1 * 60_000;
  const o2 = clock.offset(guess);
  if (o1 === o2) return guess;
  guess -= (o2 - o1) * 60_000;
  const o3 = clock.offset(guess);
  if (o2 === o3) return guess;
  return localMs - Math.min(o2, o3) * 60_000;
}

function isWeekend(day: number): boolean {
  const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  return weekday === 0 || weekday === 6;
}

// ── public holidays, cached per calendar code and year ─────────────────────

type HolidayBook = (day: number) => boolean;
const books = new Map<string, HolidayBook>();
const NO_HOLIDAYS: HolidayBook = () => false;

function holidayBook(code: string): HolidayBook {
  const cached = books.get(code);
  if (cached) return cached;
  const m = /^([A-Z]{2})(?:-([A-Z0-9]{1,3}))?$/.exec(code);
  const country = m?.[1];
  const region = m?.[2];
  const probe = new Holidays();
  const known =
    country !== undefined &&
    probe.getCountries()[country] !== undefined &&
    (region === undefined || probe.getStates(country)?.[region] !== undefined);
  if (!known) {
    throw new RangeError(
      `${JSON.stringify(code)} is not a holiday calendar date-holidays knows (a country code like US, GB, DE, or US-CA)`,
    );
  }
  const source =
    region === undefined
      ? new Holidays(country, { types: ["public"] })
      : new Holidays(country, region, { types: ["public"] });
  const years = new Map<number, Set<number>>();
  const book: HolidayBook = (day) => {
    const year = new Date(day * MS_PER_DAY).getUTCFullYear();
    let set = years.get(year);
    if (!set) {
      set = new Set();
      for (const h of source.getHolidays(year)) {
        if (h.type !== "public") continue;
        const [y, mo, d] = h.date.slice(0, 10).split("-").map(Number);
        const first = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1) / MS_PER_DAY;
        const span = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / MS_PER_DAY));
        for (let i = 0; i < span; i++) set.add(first + i);
      }
      years.set(year, set);
    }
    return set.has(day);
  };
  books.set(code, book);
  return book;
}

// ── the calendar ───────────────────────────────────────────────────────────

export type WorkingHours = { start: number; end: number };

export type CalendarOptions = {
  /** IANA zone in which business days are counted. */
  timezone: string;
  /** date-holidays code: "US", "GB", "DE", or with a region: "US-CA". */
  holidays?: string;
  /** Local hours (0–24, fractions allowed: 8.5 = 08:30) for nextWorkingMoment. Default 9–18. */
  workingHours?: WorkingHours;
};

/**
 * How fractionPoint measures elapsed time:
 * - `wall`: plain elapsed time between start and due.
 * - `business`: only time on business days (in the calendar's zone) counts, so
 *   50% of a 7-business-day SLA lands 3.5 business days in and never on a
 *   weekend. If no business time lies between start and due (a start at a
 *   weekend midnight with a due at the next business midnight), wall time is used.
 */
export type FractionMeasure = "wall" | "business";

export type BusinessCalendar = {
  readonly timezone: string;
  readonly holidays: string | null;
  readonly workingHours: WorkingHours;
  isBusinessDay(instant: Date): boolean;
  /** The same local wall-clock time on the n-th business day after start's local date (n ≥ 0). */
  addBusinessDays(start: Date, n: number): Date;
  slaDueAt(start: Date, spec: SlaSpec): Date;
  fractionPoint(start: Date, due: Date, fraction: number, measure?: FractionMeasure): Date;
  /** `instant` if it is inside working hours on a business day in `tz`, else the next such opening. */
  nextWorkingMoment(instant: Date, tz: string): Date;
};

/** @throws RangeError for an unknown zone, holiday calendar or bad working hours. */
export function makeCalendar(options: CalendarOptions): BusinessCalendar {
  const timezone = options.timezone;
  const zone = clockOf(timezone);
  const code = options.holidays?.trim().toUpperCase() || null;
  const isHoliday = code ? holidayBook(code) : NO_HOLIDAYS;
  const hours = options.workingHours ?? { start: 9, end: 18 };
  if (!(Number.isFinite(hours.start) && Number.isFinite(hours.end) && hours.start >= 0 && hours.end <= 24)) {
    throw new RangeError("working hours must lie between 0 and 24");
  }
  if (hours.start >= hours.end) throw new RangeError("working hours must start before they end");
  const openMs = Math.round(hours.start * MS_PER_HOUR);
  const closeMs = Math.round(hours.end * MS_PER_HOUR);

  const isBusiness = (day: number): boolean => !isWeekend(day) && !isHoliday(day);
  const nextBusiness = (day: number): number => {
    let d = day + 1;
    while (!isBusiness(d)) d++;
    return d;
  };

  function addBusinessDays(start: Date, n: number): Date {
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`business days must be a whole number ≥ 0, got ${n}`);
    if (n === 0) return new Date(start.getTime());
    const local = toLocal(start.getTime(), zone);
    let day = local.day;
    for (let i = 0; i < n; i++) day = nextBusiness(day);
    return new Date(fromLocal(day, local.msOfDay, zone));
  }

  function businessSegments(fromMs: number, toMs: number): [number, number][] {
    const segments: [number, number][] = [];
    let cursor = fromMs;
    while (cursor < toMs) {
      const { day } = toLocal(cursor, zone);
      const nextMidnight = fromLocal(day + 1, 0, zone);
      // Guard against zones whose midnight is skipped or repeated: always advance.
      const segEnd = Math.min(nextMidnight > cursor ? nextMidnight : cursor + MS_PER_HOUR, toMs);
      if (isBusiness(day)) segments.push([cursor, segEnd]);
      cursor = segEnd;
    }
    return segments;
  }

  function fractionPoint(start: Date, due: Date, fraction: number, measure: FractionMeasure = "wall"): Date {
    const from = start.getTime();
    const to = due.getTime();
    if (!(fraction >= 0 && fraction <= 1))
      throw new RangeError(`fraction must be within 0..1, got ${fraction}`);
    if (to < from) throw new RangeError("due must not be before start");
    const wall = new Date(from + Math.round((to - from) * fraction));
    if (measure === "wall") return wall;
    const segments = businessSegments(from, to);
    const total = segments.reduce((sum, [a, b]) => sum + (b - a), 0);
    if (total === 0) return wall;
    const target = total * fraction;
    let elapsed = 0;
    for (const [a, b] of segments) {
      if (elapsed + (b - a) >= target) return new Date(Math.round(a + (target - elapsed)));
      elapsed += b - a;
    }
    return new Date(to);
  }

  return Object.freeze({
    timezone,
    holidays: code,
    workingHours: Object.freeze({ start: hours.start, end: hours.end }),
    isBusinessDay: (instant: Date) => isBusiness(toLocal(instant.getTime(), zone).day),
    addBusinessDays,
    slaDueAt(start: Date, spec: SlaSpec): Date {
      switch (spec.kind) {
        case "duration":
          if (!(spec.ms > 0)) throw new RangeError(`an SLA duration must be positive, got ${spec.ms}`);
          return new Date(start.getTime() + spec.ms);
        case "business_days":
          return addBusinessDays(start, spec.days);
      }
    },
    fractionPoint,
    nextWorkingMoment(instant: Date, tz: string): Date {
      const there = clockOf(tz);
      const { day, msOfDay } = toLocal(instant.getTime(), there);
      const businessToday = isBusiness(day);
      if (businessToday && msOfDay >= openMs && msOfDay < closeMs) return new Date(instant.getTime());
      const target = businessToday && msOfDay < openMs ? day : nextBusiness(day);
      return new Date(fromLocal(target, openMs, there));
    },
  });
}
