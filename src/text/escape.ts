/**
 * The one place where data from the inputs (column names, values, keys, file names, env fields) is made
 * safe to show: no raw line break or control character, no bidi override, nothing a terminal or a CI runner
 * would act on. Every renderer and every line the CLI prints passes data through here.
 */

/**
 * Characters a reader cannot see, that a terminal or a CI log would act on, or that XML cannot carry:
 * C0 controls (line breaks and tab included), DEL, C1 controls, bidi marks and overrides, line/paragraph
 * separators, non-characters, and lone surrogates.
 */
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The same set without tab and line breaks (for renderers that handle those themselves: XML, Markdown). */
export const UNPRINTABLE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function hex(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Data as one visible line: `\n`, `\r`, `\t`, `\u001B`, `\u202E`… instead of the raw characters (the same `\uXXXX` as `printable`). */
export function visible(text: string): string {
  return text.replace(CONTROL, (ch) => SHORT[ch] ?? hex(ch));
}

/** Replaces characters a reader cannot see (and XML cannot carry) with a visible `\uXXXX` escape; keeps tab and line breaks. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** Longest name or value a report shows in full; longer ones are cut with an ellipsis (the JSON keeps them whole). */
export const MAX_SHOWN = 1000;

/** Cuts text longer than `max` characters (never inside a surrogate pair), marking the cut with an ellipsis. */
export function truncate(text: string, max = MAX_SHOWN): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (/[\uD800-\uDBFF]/.test(text[end - 1]!)) end--;
  return `${text.slice(0, end)}…`;
}

/** Data for a terminal or log line: cut to a readable length, then made visible. */
export function shown(text: string, max = MAX_SHOWN): string {
  return visible(truncate(text, max));
}

/** A short, escaped excerpt of a line from a file, for an error message (never a whole line of a foreign file). */
export function excerpt(text: string, max = 40): string {
  return shown(text, max);
}
