const NEEDS_ESCAPE = /[\\"]/;

/**
 * A Postgres array literal ({"a","b",NULL}) passed as ONE text parameter, for
 * any driver: a bulk statement then takes a fixed number of parameters
 * whatever the number of rows (unnest them in SQL).
 */
export function pgArray(values: readonly unknown[]): string {
  const items = values.map((v) => {
    if (v === null || v === undefined) return "NULL";
    if (typeof v === "number") return String(v);
    const text = String(v);
    return NEEDS_ESCAPE.test(text) ? `"${text.replace(/[\\"]/g, "\\$&")}"` : `"${text}"`;
  });
  return `{${items.join(",")}}`;
}
