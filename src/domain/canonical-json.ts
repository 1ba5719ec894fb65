/**
 * Canonical JSON: the exact bytes that are hashed (ADR content hashes, audit
 * chain entries). An auditor can re-implement it from this description:
 *
 * - null, true, false: as in JSON.
 * - Numbers: finite only (NaN and ±Infinity throw), written as ECMAScript's
 *   Number.prototype.toString / JSON.stringify writes them (1, 0.05, 1e+21;
 *   -0 is written 0).
 * - Strings: as JSON.stringify writes them: `"` and `\` escaped, U+0000–U+001F
 *   as \b \t \n \f \r or \u00XX (lowercase hex), lone surrogates as \uXXXX,
 *   every other character as itself; the result is hashed as UTF-8.
 * - Arrays: elements in order, separated by "," with no whitespace. An
 *   undefined element throws (JSON would silently turn it into null).
 * - Objects (plain objects only): keys sorted by UTF-16 code units (the default
 *   JavaScript sort), each written `"key":value`, separated by ",", no
 *   whitespace; keys whose value is undefined are left out.
 * - Anything else (bigint, functions, symbols, Date, Map, class instances,
 *   cycles) throws: convert it to one of the above first.
 *
 * For these values this is RFC 8785 (JSON Canonicalization Scheme).
 */
export function canonicalJson(value: unknown): string {
  return write(value, [], "$");
}

function write(value: unknown, ancestors: object[], where: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value))
        throw new TypeError(`canonicalJson: ${where} is ${value}, not a finite number`);
      return JSON.stringify(value);
    case "object":
      return writeContainer(value, ancestors, where);
    default:
      throw new TypeError(`canonicalJson: ${where} is a ${typeof value}, which JSON cannot represent`);
  }
}

function writeContainer(value: object, ancestors: object[], where: string): string {
  if (ancestors.includes(value)) throw new TypeError(`canonicalJson: ${where} refers back to itself`);
  const inner = [...ancestors, value];
  if (Array.isArray(value)) {
    const parts = value.map((item: unknown, i) => {
      if (item === undefined) throw new TypeError(`canonicalJson: ${where}[${i}] is undefined`);
      return write(item, inner, `${where}[${i}]`);
    });
    return `[${parts.join(",")}]`;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? "object";
    throw new TypeError(`canonicalJson: ${where} is a ${kind}, not a plain object`);
  }
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${write(item, inner, `${where}.${key}`)}`);
  }
  return `{${parts.join(",")}}`;
}
