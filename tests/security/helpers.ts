import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A temporary folder for generated hostile inputs, removed after the file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `reprodiff-sec-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Characters a terminal or CI runner acts on (C0 but line feed, DEL, C1, bidi controls, line separators). */
export const RAW_CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;

/** The tool's own annotation lines: the only ones that may start with `::`. */
const ANNOTATION = /^::(error|warning|notice) title=[^:\n]*::[^\n]*$/;

/**
 * Lines a GitHub runner would read as a workflow command without being our annotation: `::` first (after
 * blanks); on the console also `##[` anywhere (the older syntax). Report files keep data exact, so in a file
 * only a line that starts with `::` counts.
 */
export function injectedCommands(text: string, console = true): string[] {
  return text.split('\n').filter((l) => (l.trimStart().startsWith('::') && !ANNOTATION.test(l)) || (console && l.includes('##[')));
}

/** Console output must carry no workflow command but ours and no raw control character (tab is allowed); `console: false` for a file (`##[` kept). */
export function assertSafeConsole(text: string, what: string, console = true): void {
  const injected = injectedCommands(text, console);
  if (injected.length > 0) throw new Error(`${what}: injected workflow command(s): ${JSON.stringify(injected.slice(0, 3))}`);
  const m = RAW_CONTROL.exec(text.replace(/\t/g, ' '));
  if (m) throw new Error(`${what}: raw control character U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${m.index}: ${JSON.stringify(text.slice(Math.max(0, m.index - 40), m.index + 40))}`);
}
