/**
 * The text forms people type in the ADR modal for list-like fields, and back:
 * - a list: one item per line ("- " or "• " bullets are dropped, blank lines skipped);
 * - tools: one per line, `name | permissions | description (optional)`, or `name: permissions`;
 * - alert thresholds: one per line, `metric_name: number` or `metric_name = number`.
 * Parsing only shapes the text; the ADR schema judges the values.
 */

const BULLET = /^\s*(?:[-•*]\s+)/;

export interface ParsedLines<T> {
  items: T[];
  /** The 1-based line of each item, for "line N: …" messages. */
  lines: number[];
}

function meaningfulLines(text: string): { line: number; text: string }[] {
  return text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((raw, i) => ({ line: i + 1, text: raw.replace(BULLET, "").trim() }))
    .filter((l) => l.text !== "");
}

export function listFromText(text: string): ParsedLines<string> {
  const lines = meaningfulLines(text);
  return { items: lines.map((l) => l.text), lines: lines.map((l) => l.line) };
}

export function listToText(items: readonly string[]): string {
  return items.join("\n");
}

export interface ToolLine {
  name: string;
  permissions: string;
  description?: string;
}

export type ToolsParse = { ok: true; tools: ToolLine[]; lines: number[] } | { ok: false; error: string };

const TOOL_FORMAT =
  'write one tool per line as "name | permissions" (a description may follow after another |)';

export function toolsFromText(text: string): ToolsParse {
  const tools: ToolLine[] = [];
  const lines: number[] = [];
  for (const { line, text: t } of meaningfulLines(text)) {
    let name: string;
    let permissions: string;
    let description: string | undefined;
    if (t.includes("|")) {
      const [first, second, ...rest] = t.split("|");
      name = (first ?? "").trim();
      permissions = (second ?? "").trim();
      description = rest.join("|").trim() || undefined;
    } else if (t.includes(":")) {
      const at = t.indexOf(":");
      name = t.slice(0, at).trim();
      permissions = t.slice(at + 1).trim();
    } else {
      return { ok: false, error: `line ${line}: ${TOOL_FORMAT}` };
    }
    if (name === "" || permissions === "") {
      return { ok: false, error: `line ${line}: needs both a tool name and its permissions; ${TOOL_FORMAT}` };
    }
    tools.push(description === undefined ? { name, permissions } : { name, permissions, description });
    lines.push(line);
  }
  return { ok: true, tools, lines };
}

export function toolsToText(tools: readonly unknown[]): string {
  return tools
    .map((tool) => {
      const t = tool as Partial<ToolLine>;
      const base = `${t.name ?? ""} | ${t.permissions ?? ""}`;
      return t.description === undefined ? base : `${base} | ${t.description}`;
    })
    .join("\n");
}

export type ThresholdsParse = { ok: true; thresholds: Record<string, number> } | { ok: false; error: string };

const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const THRESHOLD_FORMAT = 'write one threshold per line as "metric_name: number", e.g. "error_rate: 0.05"';

export function thresholdsFromText(text: string): ThresholdsParse {
  const entries: [string, number][] = [];
  const seen = new Set<string>();
  for (const { line, text: t } of meaningfulLines(text)) {
    const at = t.includes("=") ? t.lastIndexOf("=") : t.lastIndexOf(":");
    if (at <= 0) return { ok: false, error: `line ${line}: ${THRESHOLD_FORMAT}` };
    const name = t.slice(0, at).trim();
    const value = t.slice(at + 1).trim();
    if (name === "") return { ok: false, error: `line ${line}: ${THRESHOLD_FORMAT}` };
    if (!NUMBER.test(value)) return { ok: false, error: `line ${line}: the threshold must be a number` };
    if (seen.has(name)) return { ok: false, error: `line ${line}: this metric already has a threshold` };
    seen.add(name);
    entries.push([name, Number(value)]);
  }
  // fromEntries defines own properties, so a key like "__proto__" reaches the schema (which refuses it).
  return { ok: true, thresholds: Object.fromEntries(entries) };
}

export function thresholdsToText(thresholds: Record<string, unknown>): string {
  return Object.entries(thresholds)
    .map(([name, value]) => `${name}: ${String(value)}`)
    .join("\n");
}
