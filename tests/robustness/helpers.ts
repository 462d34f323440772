/**
 * End-to-end helpers for the robustness suites: spawn the built CLI (`node bin/run.js data A B --json`)
 * with NO_COLOR=1, a few at a time, and check the exit-code contract on each result.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

export const ROOT = resolve(__dirname, '../..');
export const CORPORA = resolve(ROOT, '../shared/corpora');
export const hasCorpora = existsSync(CORPORA);
const BIN = join(ROOT, 'bin/run.js');

export interface CliRun {
  readonly args: readonly string[];
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly timedOut: boolean;
}

/** Runs `reprodiff data a b --json ...extra`; never rejects (the result says what happened). */
export function runData(a: string, b: string, extra: readonly string[] = [], timeoutMs = 60_000): Promise<CliRun> {
  const args = [BIN, 'data', a, b, '--json', ...extra];
  const started = Date.now();
  return new Promise((done) => {
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', REPRODIFF_DEBUG: '' }, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024 },
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

/** Maps with at most `limit` tasks in flight (the suites run on two cores). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Concurrency for spawned CLIs: two per test file. */
export const CONCURRENCY = 2;

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

const STACK_LINE = /^\s+at\s/m;

/** Text for an assertion message: the command and what it printed. */
export function describeRun(r: CliRun): string {
  return `node ${r.args.join(' ')} → exit ${r.code}${r.signal ? ` (signal ${r.signal})` : ''} in ${r.ms}ms\nstdout: ${r.stdout.slice(0, 600)}\nstderr: ${r.stderr.slice(0, 600)}`;
}

/** The one error line of an exit-2 run: stderr's line, or with --json the `error.message` on stdout. */
export function errorLine(r: CliRun): string | undefined {
  const stderrLines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  if (stderrLines.length > 0) return stderrLines.length === 1 ? stderrLines[0] : undefined;
  try {
    const doc = JSON.parse(r.stdout) as { error?: { code?: string; message?: string } };
    const message = doc.error?.message;
    return typeof message === 'string' && !message.includes('\n') ? `${doc.error?.code}: ${message}` : undefined;
  } catch {
    return undefined;
  }
}

/** Exit 2 with exactly one line of error (naming `mention` when given), no stack trace, no crash, no hang. */
export function expectCleanFailure(r: CliRun, mention?: string): string {
  const what = describeRun(r);
  expect(r.timedOut, `timed out: ${what}`).toBe(false);
  expect(r.signal, `killed by a signal: ${what}`).toBeNull();
  expect(r.code, `exit code: ${what}`).toBe(2);
  expect(STACK_LINE.test(r.stderr) || STACK_LINE.test(r.stdout), `stack trace: ${what}`).toBe(false);
  const line = errorLine(r);
  expect(line, `not exactly one error line: ${what}`).toBeDefined();
  if (mention) expect(line, `error does not name ${mention}: ${what}`).toContain(mention);
  return line!;
}

interface JsonReport {
  verdict: string;
  findings: { severity: string; cause: string; message: string; columns: string[] }[];
}

/** Parses the JSON report of a run that produced one. */
export function report(r: CliRun): JsonReport {
  try {
    return JSON.parse(r.stdout) as JsonReport;
  } catch {
    throw new Error(`stdout is not a JSON report: ${describeRun(r)}`);
  }
}

/** Exit 0, a JSON report, and no warning or error finding. */
export function expectEqual(r: CliRun): void {
  const what = describeRun(r);
  expect(r.timedOut, `timed out: ${what}`).toBe(false);
  expect(r.code, `exit code: ${what}`).toBe(0);
  const breaking = report(r).findings.filter((f) => f.severity === 'warning' || f.severity === 'error');
  expect(breaking, `findings: ${what}`).toEqual([]);
}

/** Either equal (exit 0, no finding) or a clean one-line failure (exit 2). */
export function expectEqualOrCleanFailure(r: CliRun, mention?: string): 'equal' | 'refused' {
  if (r.code === 0) {
    expectEqual(r);
    return 'equal';
  }
  expectCleanFailure(r, mention);
  return 'refused';
}
