import { type Document, isMap, LineCounter, parseAllDocuments, stringify, visit } from "yaml";
import { type Adr, type AdrIssue, type AdrValidation, validateAdr } from "./adr.ts";

/** Larger than any honest ADR by two orders of magnitude. */
export const MAX_ADR_YAML_BYTES = 256 * 1024;
/** Aliases resolved per document; a "billion laughs" needs far more. */
export const MAX_ADR_YAML_ALIASES = 50;

/** Far deeper than an ADR needs; deep nesting costs the parser time and stack. */
export const MAX_ADR_YAML_DEPTH = 32;

/** The tags of YAML 1.2's core schema; anything else (`!!js/function`, `!foo`, `!!binary`) is refused. */
const CORE_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`),
);

const ROOT_MESSAGE =
  "the ADR must be a mapping with agent_metadata, business_justification, agent_capabilities, " +
  "compliance_assessment and monitoring_plan (and optionally risk_assessment and security_assessment)";

const fail = (issues: AdrIssue[]): AdrValidation => ({ ok: false, issues });
const at = (lines: LineCounter, offset: number): string => {
  const { line, col } = lines.linePos(offset);
  return `line ${line}, column ${col}`;
};

/**
 * Parses an ADR written in YAML, refusing hostile documents before they cost
 * anything: too large, several documents, custom tags, alias bombs, a root
 * that is not a mapping. Syntax errors carry line numbers; schema problems
 * are all listed with their dotted paths. Messages quote no document content
 * except shortened, cleaned key and tag names; escape them before posting to Slack.
 */
export function parseAdrYaml(text: string): AdrValidation {
  const bytes = utf8Length(text);
  if (bytes > MAX_ADR_YAML_BYTES) {
    return fail([
      {
        path: "",
        message: `the document is ${formatKiB(bytes)}; an ADR may be at most ${formatKiB(MAX_ADR_YAML_BYTES)}`,
      },
    ]);
  }

  const depth = nestingDepth(text);
  if (depth > MAX_ADR_YAML_DEPTH) {
    return fail([
      { path: "", message: `the document is nested more than ${MAX_ADR_YAML_DEPTH} levels deep` },
    ]);
  }

  const lines = new LineCounter();
  let docs: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(text, {
      lineCounter: lines,
      prettyErrors: false,
      schema: "core",
      merge: false,
      uniqueKeys: true,
      stringKeys: true,
      logLevel: "error",
      version: "1.2",
    });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch {
    return fail([{ path: "", message: "the document could not be read as YAML (is it nested too deeply?)" }]);
  }

  if (docs.length === 0) return fail([{ path: "", message: `the document is empty; ${ROOT_MESSAGE}` }]);
  if (docs.length > 1) {
    return fail([
      { path: "", message: `the file holds ${docs.length} YAML documents; an ADR must be exactly one` },
    ]);
  }
  const doc = docs[0]!;

  const syntax = doc.errors.map((e) => ({
    path: "",
    message: `${at(lines, e.pos[0])}: ${firstLine(e.message)}`,
  }));
  if (syntax.length > 0) return fail(syntax);

  const tags = foreignTags(doc, text, lines);
  if (tags.length > 0) return fail(tags);

  if (!isMap(doc.contents)) return fail([{ path: "", message: ROOT_MESSAGE }]);

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ADR_YAML_ALIASES });
  } catch (e) {
    const reason = e instanceof Error ? firstLine(e.message).slice(0, 120) : "unknown error";
    const message = /excessive alias/i.test(reason)
      ? `the document uses aliases (*name) too heavily (limit ${MAX_ADR_YAML_ALIASES}); write the values out instead`
      : `the document could not be read as YAML: ${reason}`;
    return fail([{ path: "", message }]);
  }
  return validateAdr(value);
}

/**
 * YAML for export; parseAdrYaml reads it back to an equal ADR. Every string
 * is double-quoted, as in the framework's template, so no YAML reader (1.1
 * or 1.2) can take "yes", "0o17" or 2026-04-15 for anything but text.
 */
export function adrToYaml(adr: Adr): string {
  return stringify(adr, {
    lineWidth: 0,
    version: "1.2",
    schema: "core",
    defaultStringType: "QUOTE_DOUBLE",
    defaultKeyType: "PLAIN",
  });
}

function foreignTags(doc: Document.Parsed, text: string, lines: LineCounter): AdrIssue[] {
  const issues: AdrIssue[] = [];
  visit(doc, {
    Node(_key, node) {
      const tag = "tag" in node ? node.tag : undefined;
      if (tag === undefined || CORE_TAGS.has(tag)) return;
      const shown = tag.startsWith("tag:yaml.org,2002:") ? `!!${tag.slice(18)}` : tag;
      // A tagged collection's range starts at its content; the tag is written just before it.
      const start = node.range?.[0];
      const written = start === undefined ? -1 : text.lastIndexOf(shown, start);
      const where = start === undefined ? "" : `${at(lines, written === -1 ? start : written)}: `;
      issues.push({
        path: "",
        message: `${where}the tag ${JSON.stringify(shown.slice(0, 40))} is not allowed in an ADR; write plain values`,
      });
    },
  });
  return issues;
}

/**
 * A cheap over-estimate of nesting, taken before parsing: open flow brackets
 * ([ {) outside comments and one-line quoted scalars, and compact block
 * prefixes ("- - - x") on one line. Honest ADRs stay in single digits. A
 * quote only opens where YAML can start a quoted scalar and always closes at
 * the end of its line, so text cannot hide brackets from this count.
 */
function nestingDepth(text: string): number {
  const blockPrefix = /[ \t]*(?:[-?:][ \t]+)*/y;
  let max = 0;
  let flow = 0;
  let quote = "";
  let previous = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (i === 0 || text[i - 1] === "\n") {
      quote = "";
      previous = "";
      blockPrefix.lastIndex = i;
      max = Math.max(max, (blockPrefix.exec(text)?.[0].match(/[-?:]/g) ?? []).length);
    }
    if (quote !== "") {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end - 1;
      continue;
    }
    if ((c === '"' || c === "'") && QUOTE_CAN_OPEN_AFTER.has(previous)) quote = c;
    else if (c === "[" || c === "{") max = Math.max(max, ++flow);
    else if ((c === "]" || c === "}") && flow > 0) flow--;
    if (c !== " " && c !== "\t") previous = c;
  }
  return max;
}
const QUOTE_CAN_OPEN_AFTER = new Set(["", ":", "-", ",", "[", "{", "?"]);

function firstLine(message: string): string {
  return message.split("\n", 1)[0] ?? message;
}

/** UTF-8 byte length without allocating a copy of a possibly huge string. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

function formatKiB(bytes: number): string {
  return `${(bytes / 1024).toFixed(1).replace(/\.0$/, "")} KiB`;
}
