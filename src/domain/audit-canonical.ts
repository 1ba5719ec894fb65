import { canonicalJson } from "./canonical-json.ts";

/** Thrown inside the fast writer to hand an unusual value to the reference writer. */
const UNUSUAL = Symbol("unusual");
const MAX_DEPTH = 200;

/**
 * canonicalJson for the values an audit entry holds, without the bookkeeping
 * the reference writer does for its error messages (a path string per key, an
 * ancestors array per container): verification canonicalises a million
 * entries and that bookkeeping was most of the garbage. Anything unusual
 * (non-finite numbers, non-plain objects, undefined in arrays, very deep or
 * cyclic data) goes to the reference canonicalJson, which then gives the same
 * answer or the same error. Unit tests hold the two to identical output.
 */
export function canonicalValue(value: unknown): string {
  try {
    return write(value, 0);
  } catch (err) {
    if (err === UNUSUAL) return canonicalJson(value);
    throw err;
  }
}

function write(value: unknown, depth: number): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw UNUSUAL;
      return JSON.stringify(value);
    case "object":
      break;
    default:
      throw UNUSUAL;
  }
  if (depth > MAX_DEPTH) throw UNUSUAL;
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined) throw UNUSUAL;
      out += (i ? "," : "") + write(item, depth + 1);
    }
    return `${out}]`;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw UNUSUAL;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = "{";
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${first ? "" : ","}${JSON.stringify(key)}:${write(item, depth + 1)}`;
    first = false;
  }
  return `${out}}`;
}
