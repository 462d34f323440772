/**
 * The last line of defence on stdout and stderr, under every renderer and every message (including text
 * added later): whatever is written, a CI runner never sees a workflow command it did not get from
 * `writeAnnotations`, and a terminal never gets a control sequence other than colours.
 *
 * - A line whose first non-blank characters are `::` (GitHub Actions workflow commands) gets its first
 *   colon escaped (`\u003a:`); `##[` (the older command syntax, read anywhere in a line) becomes `#\u0023[`.
 * - Control characters, bidi overrides and line separators become `\uXXXX`, except line feed, tab and the
 *   colour sequences (SGR: ESC [ digits m) the terminal renderer writes. `\uXXXX` is also what JSON would
 *   write, so `--json` output stays valid JSON with the same meaning.
 */
import { StringDecoder } from 'node:string_decoder';

const RAW = Symbol.for('reprodiff.rawWrite');

type Write = (chunk: string, encoding?: BufferEncoding, cb?: (err?: Error | null) => void) => boolean;
type Guarded = NodeJS.WriteStream & { [RAW]?: Write };

const UNSAFE =
  /\u001B\[[0-9;]*m|[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Every control character, colour sequences included (annotations carry no colour). */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function escapeChar(ch: string): string {
  if (ch.length > 1) return ch; // a colour sequence
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Makes `text` safe to write; `atLineStart` says whether the stream's current line holds only blanks so far.
 * Returns the text and the same state after it.
 */
export function defuse(text: string, atLineStart: boolean): { text: string; atLineStart: boolean } {
  let out = text.replace(UNSAFE, escapeChar).replaceAll('##[', '#\\u0023[');
  const lines = out.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const startsLine = i > 0 || atLineStart;
    if (!startsLine) continue;
    const line = lines[i]!;
    const lead = line.length - line.trimStart().length;
    const rest = line.slice(lead);
    // `::` split over two writes: the lone colon at the end of a write is escaped too.
    if (rest.startsWith('::') || (rest === ':' && i === lines.length - 1)) lines[i] = `${line.slice(0, lead)}\\u003a${rest.slice(1)}`;
  }
  out = lines.join('\n');
  const last = lines[lines.length - 1]!;
  const endsBlank = last.trim() === '';
  return { text: out, atLineStart: endsBlank && (lines.length > 1 || atLineStart) };
}

/** Wraps `write` of stdout and stderr (once) so everything written passes through `defuse`. */
export function installOutputGuard(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams as Guarded[]) {
    if (stream[RAW]) continue;
    const raw = stream.write.bind(stream) as Write;
    stream[RAW] = raw;
    let atLineStart = true;
    const decoder = new StringDecoder('utf8');
    stream.write = function guardedWrite(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
      const callback = typeof encoding === 'function' ? encoding : cb;
      const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? decoder.write(Buffer.from(chunk)) : String(chunk);
      const safe = defuse(text, atLineStart);
      atLineStart = safe.atLineStart;
      return raw(safe.text, 'utf8', callback as (err?: Error | null) => void);
    } as NodeJS.WriteStream['write'];
  }
}

/** Writes past the guard: only for text the tool composed whole (its own annotations, the progress line's control codes). */
export function writeRaw(stream: NodeJS.WriteStream, text: string): void {
  const raw = (stream as Guarded)[RAW];
  if (raw) raw(text);
  else stream.write(text);
}

const ANNOTATION = /^::(error|warning|notice)( [^\n]*)?::[^\n]*$/;

/**
 * The tool's GitHub Actions annotations: the only lines allowed to start with `::`. Each line must be an
 * annotation, with its data already escaped by GitHub's rules (`%0A`…); control characters are escaped here.
 */
export function writeAnnotations(text: string, stream: NodeJS.WriteStream = process.stdout): void {
  const lines = text.split('\n').filter((l) => l !== '');
  const safe = lines.map((l) => {
    const clean = l.replace(CONTROL, escapeChar).replaceAll('##[', '#\\u0023[');
    return ANNOTATION.test(clean) ? clean : defuse(clean, true).text;
  });
  if (safe.length > 0) writeRaw(stream, `${safe.join('\n')}\n`);
}
