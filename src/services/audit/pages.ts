/**
 * Reads a table in pages by RANGES of a unique-ish integer key (seq within a
 * chain, or id): each query asks for `lo < key <= hi` and nothing else.
 *
 * Why ranges and not `key > last ORDER BY key LIMIT n`: right after a bulk
 * load, before autovacuum has analysed the table, Postgres may plan the LIMIT
 * query as "fetch every remaining row, then sort", making a walk of a long
 * chain quadratic. A bounded range costs one page whatever the plan, and
 * every row with a key in the range comes back (duplicates included), so no
 * row can slip between pages. Empty stretches (gaps) are skipped with one
 * index probe. The next range is fetched while the caller works on the
 * current one. Memory: two pages.
 */
export interface RangeReader<T> {
  /** The largest key to read (null: nothing to read). */
  max: number | null;
  /** Keys per range. */
  width: number;
  /** Start after this key (default: no lower bound). */
  after?: number | null;
  /** Rows with lo < key <= hi (lo null: no lower bound), in key order. */
  fetch(lo: number | null, hi: number): Promise<T[]>;
  /** The smallest key above hi, or null. */
  firstAfter(hi: number): Promise<number | null>;
}

export async function* rangePages<T>(reader: RangeReader<T>): AsyncGenerator<T[]> {
  const { max, width } = reader;
  if (max === null) return;
  const upper = (lo: number | null) => Math.min((lo ?? 0) + width, max);
  let lo: number | null = reader.after ?? null;
  let pending: Promise<T[]> | null = reader.fetch(lo, upper(lo));
  try {
    while (pending) {
      const page = await pending;
      const hi = upper(lo);
      pending = null;
      if (hi >= max) {
        if (page.length) yield page;
        return;
      }
      if (page.length) {
        lo = hi;
        pending = reader.fetch(lo, upper(lo));
        yield page;
        continue;
      }
      const next = await reader.firstAfter(hi);
      if (next === null || next > max) return;
      lo = next - 1;
      pending = reader.fetch(lo, upper(lo));
    }
  } finally {
    // The caller stopped early: let an in-flight fetch settle quietly.
    await pending?.catch(() => {});
  }
}
