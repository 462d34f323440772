/**
 * Workflow-command and control-character injection: random hostile text (line breaks, `::add-mask::`,
 * `##[`, ESC sequences, bidi overrides, C1 controls) in column names, values, keys, file names and env files,
 * through every output (terminal, --json, JSON/Markdown/JUnit/HTML files, the step summary, annotations,
 * check's pairing notes, errors). No console line may start with `::` unless it is one of the tool's
 * annotations, and no raw control character may reach the console.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { assertValidError, assertValidReport } from '../helpers/schema.js';
import { parseXml } from '../report/xml.js';
import { assertSafeConsole, injectedCommands, tempDir } from './helpers.js';
import { rng } from '../helpers/rng.js';

const dir = tempDir('inject');

const PIECES = [
  '\n::add-mask::SECRET',
  '\n::stop-commands::tok',
  '\r\n::error::pwned',
  '\n  ::warning file=x::w',
  '##[add-mask]s',
  '\n##[set-output name=a]b',
  '\u001b]0;title\u0007',
  '\u001b[2J\u001b[H',
  '\u001b[31mred',
  '\b\b\b',
  '\r',
  '\u202eevil',
  '\u2028',
  '\u0085',
  '\u009b31m',
  '\u0007',
  '\t',
  'plain',
  'x',
  ':',
  '::',
];

function hostile(next: () => number, parts = 3): string {
  let s = '';
  for (let i = 0; i < parts; i++) s += PIECES[Math.floor(next() * PIECES.length)]!;
  return `c${s}`;
}

function csvField(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

function writeCsv(path: string, header: readonly string[], rows: readonly (readonly string[])[]): void {
  writeFileSync(path, `${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\n')}\n`);
}

/** Every line of every output format: no foreign workflow command; files parse in their own format. */
function assertOutputsSafe(folder: string): void {
  const json = readFileSync(join(folder, 'out.json'), 'utf8');
  assertValidReport(json);
  const markdown = readFileSync(join(folder, 'out.md'), 'utf8');
  const junit = readFileSync(join(folder, 'out.xml'), 'utf8');
  const html = readFileSync(join(folder, 'out.html'), 'utf8');
  parseXml(junit);
  for (const [name, text] of [
    ['JSON', json],
    ['Markdown', markdown],
    ['JUnit', junit],
    ['HTML', html],
  ] as const) {
    expect(injectedCommands(text, false), name).toEqual([]);
  }
  // Markdown is what GitHub shows in a step summary: no raw control character either.
  assertSafeConsole(markdown, 'Markdown', false);
}

describe('hostile text through every output', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: data, --json, report files, errors`, async () => {
      const next = rng(seed);
      const folder = join(dir, `data-${seed}`);
      mkdirSync(folder);
      const cols = [hostile(next), hostile(next), hostile(next)];
      const keys = Array.from({ length: 6 }, (_, i) => `${i}${hostile(next, 2)}`);
      const a = keys.map((k, i) => [k, hostile(next), String(i), hostile(next)]);
      const b = keys.map((k, i) => [k, i % 2 ? hostile(next) : a[i]![1]!, String(i + (i % 3)), hostile(next)]);
      writeCsv(join(folder, 'a.csv'), ['id', ...cols], a);
      writeCsv(join(folder, 'b.csv'), ['id', cols[0]!, cols[1]!, hostile(next)], b);
      const outs = ['-o', 'out.json', '--markdown', 'out.md', '--junit', 'out.xml', '--html', 'out.html'];

      const text = await runCli(['data', 'a.csv', 'b.csv', '--key', 'id', '-v', ...outs], { cwd: folder, env: { GITHUB_ACTIONS: 'true' } });
      expect(text.code, text.stderr).toBe(1);
      assertSafeConsole(text.stdout + text.stderr, 'terminal report');
      expect(text.stdout).toContain('\\n'); // the line breaks are shown, not dropped
      assertOutputsSafe(folder);

      const json = await runCli(['features', 'a.csv', 'b.csv', '--key', 'id', '--json'], { cwd: folder });
      expect(json.code).toBe(1);
      assertSafeConsole(json.stdout + json.stderr, '--json');
      assertValidReport(JSON.parse(json.stdout));

      const keyless = await runCli(['data', 'a.csv', 'b.csv', '-v'], { cwd: folder });
      assertSafeConsole(keyless.stdout + keyless.stderr, 'keyless report');

      const unknownKey = await runCli(['data', 'a.csv', 'b.csv', '--key', cols[2]!], { cwd: folder });
      expect(unknownKey.code).toBe(2);
      assertSafeConsole(unknownKey.stdout + unknownKey.stderr, 'unknown key error');
      expect(unknownKey.stderr.trimEnd().split('\n')).toHaveLength(1);

      const missing = await runCli(['data', `${hostile(next)}.csv`, 'b.csv', '--json'], { cwd: folder });
      expect(missing.code).toBe(2);
      assertSafeConsole(missing.stdout + missing.stderr, 'missing file error');
      assertValidError(JSON.parse(missing.stdout));
    });
  }

  for (const seed of [11, 12, 13]) {
    it(`seed ${seed}: check with hostile file names, annotations and the step summary`, async () => {
      const next = rng(seed);
      const folder = join(dir, `check-${seed}`);
      const research = join(folder, 'research');
      const production = join(folder, 'production');
      mkdirSync(research, { recursive: true });
      mkdirSync(production);
      const col = hostile(next).replaceAll('\r', '\n');
      // (A lone carriage return inside a quoted value defeats DuckDB's CSV sniffer on so small a file: kept for the data test.)
      const rows = (side: string) => Array.from({ length: 8 }, (_, i) => [String(i), i === 1 ? hostile(next).replaceAll('\r', '\n') : `${side}${i % 2}`]);
      writeCsv(join(research, 'raw.csv'), ['id', col], rows('a'));
      writeCsv(join(production, 'raw.csv'), ['id', col], rows('b'));
      // A second data-like file with a hostile name: check's pairing notes say it was left out.
      const odd = `raw${hostile(next).replaceAll('/', '_')}.csv`;
      writeCsv(join(research, odd), ['id'], [['1']]);
      writeFileSync(join(research, 'requirements.txt'), 'numpy==1.26.0\n');
      writeFileSync(join(production, 'requirements.txt'), 'numpy==1.26.4\n');
      const summary = join(folder, 'summary.md');
      const r = await runCli(['check', 'research', 'production', '--key', 'id', '-v', '-o', 'out.json', '--markdown', 'out.md', '--junit', 'out.xml', '--html', 'out.html'], {
        cwd: folder,
        env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
      });
      expect(r.code, r.stderr).toBe(1);
      assertSafeConsole(r.stdout + r.stderr, 'check console');
      // Our own annotations are there, one line each.
      expect(r.stdout.split('\n').filter((l) => l.startsWith('::error ')).length).toBeGreaterThan(0);
      assertOutputsSafe(folder);
      assertSafeConsole(readFileSync(summary, 'utf8'), 'step summary', false);
    });
  }

  it('a hostile requirements line is quoted as a short escaped excerpt', async () => {
    const folder = join(dir, 'env');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.txt'), 'numpy==1.0\n!!bad\u001b]0;x\u0007 ::add-mask::secret-value-that-is-long-enough-to-be-cut\n');
    writeFileSync(join(folder, 'b.txt'), 'numpy==1.0\n');
    for (const extra of [[], ['--json']]) {
      const r = await runCli(['env', 'a.txt', 'b.txt', ...extra], { cwd: folder });
      expect(r.code).toBe(2);
      assertSafeConsole(r.stdout + r.stderr, 'env error');
      expect(r.stdout + r.stderr).not.toContain('cut');
    }
  });
});
