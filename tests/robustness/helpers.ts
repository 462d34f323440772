/**
 * Helpers for the robustness suites.
 *
 * The bulk of each corpus runs IN-PROCESS through the compiled library (`dist/`, built by `npm test`'s
 * pretest): `runData(a, b, options)` with the options the CLI builds from the same flags, one call at
 * a time (DuckDB already uses every core), each under a time limit. The compiled build is needed
 * because only there does the Arrow decoder run in its timed worker thread (src/sources/arrow.ts).
 *
 * The CLI's exit-code contract maps onto an in-process call like this:
 *   - a Report                → exit 0 (verdict equal) or 1 (different), the JSON report on stdout;
 *   - a thrown ReprodiffError → exit 2 with one line `reprodiff: CODE: message` (a user error);
 *   - anything else thrown    → a bug: E_INTERNAL (a stack trace with REPRODIFF_DEBUG=1);
 *   - no answer in time       → a hang.
 * A few true end-to-end spawns of `node bin/run.js` (`runCli`) keep the CLI layer itself covered.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';

export const ROOT = resolve(__dirname, '../..');
export const CORPORA = resolve(ROOT, '../shared/corpora');
export const hasCorpora = existsSync(CORPORA);
const BIN = join(ROOT, 'bin/run.js');
const DIST = join(ROOT, 'dist/src');

/** Default time limit of one in-process comparison. */
export const LIMIT_MS = 20_000;

/** A path as the messages show it: relative to the project root. */
export const rel = (p: string) => relative(ROOT, p);

/** Every regular file under a folder, sorted. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// In-process runs through dist/
// ---------------------------------------------------------------------------------------------

interface Finding {
  readonly severity: string;
  readonly cause: string;
  readonly message: string;
  readonly columns: readonly string[];
}
export interface Report {
  readonly verdict: string;
  readonly findings: readonly Finding[];
  readonly stages: readonly { readonly summary?: { readonly research?: { readonly columns?: number } } }[];
}
interface ReprodiffErrorLike extends Error {
  readonly code: string;
  oneLine(): string;
}

interface Lib {
  runData(a: string, b: string, options: object): Promise<Report>;
  ReprodiffError: abstract new (...args: never[]) => ReprodiffErrorLike;
  renderJson(report: Report): string;
  flags: {
    parseKey(key: string | undefined): string[] | undefined;
    parseRenames(maps: readonly string[] | undefined): Record<string, string>;
    parseTolerances(flags: object): object;
    parseDrift(flags: object): object;
    readOptions(flags: object): object;
  };
}

let libPromise: Promise<Lib> | undefined;

/** The compiled library (imported once per test file). */
export function lib(): Promise<Lib> {
  libPromise ??= (async () => {
    if (!existsSync(join(DIST, 'run/data.js')) || !existsSync(join(DIST, 'sources/arrow-worker.js'))) {
      throw new Error('dist/ is missing or incomplete: run `npm run build` first (npm test does it in pretest)');
    }
    const load = (p: string) => import(pathToFileURL(join(DIST, p)).href);
    const [data, errors, json, flags] = await Promise.all([load('run/data.js'), load('errors.js'), load('report/json.js'), load('cli/flags.js')]);
    return { runData: data.runData, ReprodiffError: errors.ReprodiffError, renderJson: json.renderJson, flags };
  })();
  return libPromise;
}

/** The CLI flags the suites use; they become runData options exactly as commands/data.ts builds them. */
export interface DataFlags {
  readonly key?: string;
  readonly map?: readonly string[];
  readonly format?: 'csv' | 'tsv' | 'parquet' | 'json' | 'ndjson' | 'arrow' | 'duckdb';
}

function options(l: Lib, f: DataFlags): object {
  // With the defaults of the data command's flags: --sample 5, --stats, --header, --bins 10, --fail-on warning.
  const flags = { ...f, map: f.map ? [...f.map] : undefined, sample: 5, stats: true, header: true, bins: 10 };
  return {
    key: l.flags.parseKey(flags.key),
    ignore: undefined,
    rename: l.flags.parseRenames(flags.map),
    tolerances: l.flags.parseTolerances(flags),
    sample: flags.sample,
    stats: flags.stats,
    drift: l.flags.parseDrift(flags),
    read: l.flags.readOptions(flags),
    engine: { memoryLimit: undefined, tempDir: undefined, threads: undefined },
    failOn: 'warning',
  };
}

/** The equivalent command line, for messages. */
function commandLine(a: string, b: string, f: DataFlags): string {
  const extra = [...(f.key ? ['--key', JSON.stringify(f.key)] : []), ...(f.map ?? []).flatMap((m) => ['--map', JSON.stringify(m)]), ...(f.format ? ['--format', f.format] : [])];
  return ['data', rel(a), rel(b), ...extra].join(' ');
}

export type Outcome = { readonly call: string; readonly ms: number } & (
  | { readonly kind: 'report'; readonly report: Report }
  | { readonly kind: 'refused'; readonly code: string; readonly line: string }
  | { readonly kind: 'internal'; readonly error: unknown }
  | { readonly kind: 'hang'; readonly limitMs: number }
);

const HANG = Symbol('hang');

/**
 * `reprodiff data a b --json [flags]`, in-process under a time limit. Never rejects: the outcome says
 * what the CLI would have done. A hung call cannot be cancelled: it is reported and left behind.
 */
export async function compareInProcess(a: string, b: string, flags: DataFlags = {}, limitMs = LIMIT_MS): Promise<Outcome> {
  const l = await lib();
  const call = commandLine(a, b, flags);
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const work = (async () => {
    const report = await l.runData(a, b, options(l, flags));
    // What --json prints: it must render, and parse back.
    return JSON.parse(l.renderJson(report)) as Report;
  })();
  work.catch(() => undefined); // a late rejection after a hang is not an unhandled one
  try {
    const result = await Promise.race([
      work,
      new Promise<typeof HANG>((done) => {
        timer = setTimeout(() => done(HANG), limitMs);
      }),
    ]);
    const ms = performance.now() - started;
    if (result === HANG) return { call, ms, kind: 'hang', limitMs };
    return { call, ms, kind: 'report', report: result };
  } catch (error) {
    const ms = performance.now() - started;
    if (error instanceof l.ReprodiffError) return { call, ms, kind: 'refused', code: error.code, line: `reprodiff: ${error.code}: ${error.oneLine()}` };
    return { call, ms, kind: 'internal', error };
  } finally {
    clearTimeout(timer);
  }
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message.split('\n')[0]}`;
  return String(e);
}

const isBreaking = (f: Finding) => f.severity === 'warning' || f.severity === 'error';

/** One line saying what happened, for failure lists. */
export function explain(o: Outcome): string {
  const head = `${o.call} (in-process, ${Math.round(o.ms)} ms)`;
  switch (o.kind) {
    case 'hang':
      return `${head}: hang: no result within ${o.limitMs / 1000} s`;
    case 'internal':
      return `${head}: would be a stack trace / E_INTERNAL: ${describeError(o.error)}`;
    case 'refused':
      return `${head}: refused: ${o.line}`;
    case 'report': {
      const breaking = o.report.findings.filter(isBreaking).map((f) => `${f.severity} ${f.cause}: ${f.message}`);
      return `${head}: verdict ${o.report.verdict}${breaking.length ? `; ${breaking.join('; ').slice(0, 600)}` : ''}`;
    }
  }
}

/*
 * The checks below return undefined when the outcome is acceptable, else the problem in one line.
 * Suites collect the problems of a whole corpus and assert the list is empty, so one run names every
 * failing file.
 */

/** What no contract allows: a hang, or an error that is not a typed ReprodiffError. */
export function fatal(o: Outcome): string | undefined {
  return o.kind === 'hang' || o.kind === 'internal' ? explain(o) : undefined;
}

/** Exit 0: a report, verdict equal, no warning or error finding. */
export function notEqual(o: Outcome): string | undefined {
  if (o.kind !== 'report') return fatal(o) ?? `${explain(o)} (expected equal)`;
  if (o.report.verdict !== 'equal' || o.report.findings.some(isBreaking)) return `${explain(o)} (expected equal)`;
  return undefined;
}

/** Exit 2 with one line naming `mention`. */
export function notRefused(o: Outcome, mention?: string): string | undefined {
  if (o.kind !== 'refused') return fatal(o) ?? `${explain(o)} (expected a one-line refusal)`;
  if (o.line.includes('\n')) return `${explain(o)} (the error is not one line)`;
  if (mention && !o.line.includes(mention)) return `${explain(o)} (the error does not name ${mention})`;
  return undefined;
}

/** Equal, or refused in one line naming `mention`. */
export function notEqualOrRefused(o: Outcome, mention?: string): string | undefined {
  return o.kind === 'refused' ? notRefused(o, mention) : notEqual(o);
}

/** Asserts a list of problems is empty, listing them all. */
export function expectNoProblems(problems: readonly (string | undefined)[], what: string): void {
  const list = problems.filter((p): p is string => p !== undefined);
  expect(list, `${what}: ${list.length} problem(s):\n${list.join('\n')}`).toEqual([]);
}

/** Per-suite timing: the in-process calls and the slowest of them, printed once at the end. */
export class Timings {
  private readonly runs: { call: string; ms: number }[] = [];
  private readonly started = performance.now();

  constructor(private readonly suite: string) {}

  add(o: Outcome): Outcome {
    this.runs.push({ call: o.call, ms: o.ms });
    return o;
  }

  print(top = 5): void {
    const total = (performance.now() - this.started) / 1000;
    const inProcess = this.runs.reduce((s, r) => s + r.ms, 0) / 1000;
    const slowest = [...this.runs].sort((x, y) => y.ms - x.ms).slice(0, top);
    console.log(
      [
        `[${this.suite}] ${this.runs.length} in-process comparisons took ${inProcess.toFixed(1)} s; the suite ${total.toFixed(1)} s. Slowest:`,
        ...slowest.map((r) => `  ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${r.call}`),
      ].join('\n'),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// End-to-end CLI spawns (a few representative cases per suite)
// ---------------------------------------------------------------------------------------------

export interface CliRun {
  readonly args: readonly string[];
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly timedOut: boolean;
}

/**
 * Runs `node bin/run.js data a b ...extra` (pass `--json` in extra when wanted); never rejects.
 * NODE_ENV=production: under vitest, NODE_ENV=test makes oclif print a warning of its own.
 */
export function runCli(a: string, b: string, extra: readonly string[] = [], timeoutMs = 60_000): Promise<CliRun> {
  const args = [BIN, 'data', rel(a), rel(b), ...extra];
  const started = Date.now();
  return new Promise((done) => {
    execFile(
      process.execPath,
      args,
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1', REPRODIFF_DEBUG: '', NODE_ENV: 'production' },
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 256 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: number | string; signal?: string; killed?: boolean }) | null;
        done({
          args: args.slice(1),
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout: String(stdout),
          stderr: String(stderr),
          ms: Date.now() - started,
          timedOut: Boolean(e?.killed) || Date.now() - started >= timeoutMs,
        });
      },
    );
  });
}

const STACK_LINE = /^\s+at\s/m;

/** Text for an assertion message: the command and what it printed. */
export function describeRun(r: CliRun): string {
  return `node ${r.args.join(' ')} → exit ${r.code}${r.signal ? ` (signal ${r.signal})` : ''} in ${r.ms}ms\nstdout: ${r.stdout.slice(0, 600)}\nstderr: ${r.stderr.slice(0, 600)}`;
}

/** Exit 0 with a JSON report (run with --json), verdict equal, no warning or error finding. */
export function expectCliEqual(r: CliRun): Report {
  const what = describeRun(r);
  expect(r.timedOut, `timed out: ${what}`).toBe(false);
  expect(r.code, `exit code: ${what}`).toBe(0);
  let doc: Report;
  try {
    doc = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`stdout is not a JSON report: ${what}`);
  }
  expect(doc.verdict, what).toBe('equal');
  expect(doc.findings.filter(isBreaking), `findings: ${what}`).toEqual([]);
  return doc;
}

/**
 * Exit 2 (run WITHOUT --json): exactly one stderr line `reprodiff: E_…: …` naming `mention`, not
 * E_INTERNAL, nothing on stdout, no stack trace, no signal, no hang.
 */
export function expectCliOneLineFailure(r: CliRun, mention?: string): string {
  const what = describeRun(r);
  expect(r.timedOut, `timed out: ${what}`).toBe(false);
  expect(r.signal, `killed by a signal: ${what}`).toBeNull();
  expect(r.code, `exit code: ${what}`).toBe(2);
  expect(STACK_LINE.test(r.stderr) || STACK_LINE.test(r.stdout), `stack trace: ${what}`).toBe(false);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, `stderr is not exactly one line: ${what}`).toHaveLength(1);
  expect(lines[0], what).toMatch(/^reprodiff: E_[A-Z_]+: /);
  expect(lines[0], what).not.toMatch(/E_INTERNAL/);
  if (mention) expect(lines[0], `error does not name ${mention}: ${what}`).toContain(mention);
  expect(r.stdout.trim(), `stdout: ${what}`).toBe('');
  return lines[0]!;
}
