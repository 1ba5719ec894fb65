/** Durations for SLA settings and clocks (see calendar.ts for business days). */
const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;

export type SlaSpec = { kind: "duration"; ms: number } | { kind: "business_days"; days: number };

const NUM = "(\\d+(?:[.,]\\d+)?)";
const ISO_DURATION = new RegExp(`^P(?:${NUM}W)?(?:${NUM}D)?(?:T(?:${NUM}H)?(?:${NUM}M)?(?:${NUM}S)?)?$`);
const UNIT_MS = [7 * MS_PER_DAY, MS_PER_DAY, MS_PER_HOUR, 60_000, 1000] as const;

/**
 * Milliseconds of an ISO-8601 duration such as PT24H, P7D, PT30S, P1DT2H or
 * P2W. A day is 24 h of elapsed time (use business days for calendar-aware
 * SLAs). Years and months are refused (their length is ambiguous), as are
 * zero, fractions on anything but the last component, and oversized input.
 * @throws RangeError with a message fit for a config error report.
 */
export function parseIsoDuration(text: string): number {
  const raw = String(text).trim().toUpperCase();
  const show = JSON.stringify(String(text).slice(0, 40));
  if (raw.length === 0 || raw.length > 40) {
    throw new RangeError(`${show} is not an ISO-8601 duration like PT24H, P7D or PT30S`);
  }
  const datePart = raw.split("T")[0] ?? "";
  if (raw.startsWith("P") && /[YM]/.test(datePart)) {
    throw new RangeError(`${show}: years and months are ambiguous; use days (P30D) or hours (PT72H)`);
  }
  const m = ISO_DURATION.exec(raw);
  if (!m || raw === "P" || raw.endsWith("T")) {
    throw new RangeError(`${show} is not an ISO-8601 duration like PT24H, P7D or PT30S`);
  }
  const parts = m.slice(1);
  const present = parts.flatMap((p, i) => (p === undefined ? [] : [i]));
  const last = present[present.length - 1];
  let ms = 0;
  for (const i of present) {
    const value = parts[i] ?? "0";
    if (/[.,]/.test(value) && i !== last) {
      throw new RangeError(`${show}: only the last component may have a fraction`);
    }
    ms += Number(value.replace(",", ".")) * (UNIT_MS[i] ?? 0);
  }
  ms = Math.round(ms);
  if (ms <= 0) throw new RangeError(`${show}: a duration must be longer than zero`);
  if (!Number.isSafeInteger(ms)) throw new RangeError(`${show}: duration is too long`);
  return ms;
}
