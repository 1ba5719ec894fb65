/**
 * Making user-supplied text safe to show in Slack. Everything a person or an
 * ADR file typed (agent names, reasons, tool names, error paths) goes through
 * escapeMrkdwn before it lands in a mrkdwn text object, and through plainText
 * before a plain_text one.
 */

/** C0/C1 controls (line feed and tab kept) and the bidi overrides that disguise text. */
const CONTROL_BUT_NEWLINE_TAB = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
const CONTROL_ANY = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
const ZERO_WIDTH_SPACE = "\u200B";
const ELLIPSIS = "…";

/** Removes control characters except line feeds and tabs; CR LF and lone CR become LF. */
export function stripControl(s: string): string {
  return s.replace(/\r\n?/g, "\n").replace(CONTROL_BUT_NEWLINE_TAB, "");
}

/**
 * Text that renders literally in mrkdwn: `&`, `<`, `>` become entities, so
 * `<!channel>`, `<@U123>` and `<https://x|y>` neither ping nor link; each of
 * `* _ ~ \`` gets a zero-width space on both sides, so `*bold*` stays
 * asterisks whether Slack treats that space as a word character or as a
 * boundary. Control characters are removed.
 */
export function escapeMrkdwn(s: string): string {
  return stripControl(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[*_~`]/g, (c) => `${ZERO_WIDTH_SPACE}${c}${ZERO_WIDTH_SPACE}`);
}

/**
 * At most `max` UTF-16 code units (Slack's limits are in characters, never
 * fewer), ending in "…" when shortened. It never splits a surrogate pair
 * (an emoji) or an entity written by escapeMrkdwn (`&amp;`, `&lt;`, `&gt;`).
 */
export function truncate(s: string, max: number): string {
  if (!Number.isFinite(max) || max < 1) return "";
  if (s.length <= max) return s;
  let cut = Math.floor(max) - 1;
  if (cut > 0 && isHighSurrogate(s.charCodeAt(cut - 1))) cut--;
  const partialEntity = /&(?:a|am|amp|l|lt|g|gt)?$/.exec(s.slice(Math.max(0, cut - 4), cut));
  if (partialEntity) cut -= partialEntity[0].length;
  return s.slice(0, cut) + ELLIPSIS;
}

/** For plain_text objects (labels, headers, options, buttons): one line, no control characters, at most `max`. */
export function plainText(s: string, max: number): string {
  const oneLine = s
    .replace(/[\r\n\t]+/g, " ")
    .replace(CONTROL_ANY, "")
    .trim();
  return truncate(oneLine, max);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
