/** ISO-8601 durations for settings: PnDTnHnMnS (no years or months, which are ambiguous). */
const ISO = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function isoDurationMs(text: string): number | null {
  const m = ISO.exec(text);
  if (!m || text === "P" || text.endsWith("T")) return null;
  const [, d, h, min, s] = m;
  const ms =
    Number(d ?? 0) * 86_400_000 +
    Number(h ?? 0) * 3_600_000 +
    Number(min ?? 0) * 60_000 +
    Number(s ?? 0) * 1000;
  return ms > 0 ? ms : null;
}
