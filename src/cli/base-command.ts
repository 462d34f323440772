import { maskReport } from '../findings/mask.js';
import { Command, Flags, type Interfaces } from '@oclif/core';
import { ReprodiffError, isReprodiffError } from '../errors.js';
import { removeSpillOnInterrupt } from '../engine/engine.js';
import type { QueryProgress } from '../engine/engine.js';
import { exitCodeFor } from '../findings/report.js';
import type { FailOn, Report } from '../findings/types.js';
import { renderReport } from '../report/index.js';
import { renderJson } from '../report/json.js';
import type { RenderOptions } from '../report/index.js';
import { visible } from '../text/escape.js';
import { assertOutputsFree, writeFileAtomic } from '../report/write.js';
import type { OutputTarget } from '../report/write.js';
import { diffRowsDirFiles } from '../compare/data/diff-rows.js';
import { installOutputGuard } from './output-guard.js';
import { stderrProgress } from './progress.js';
import type { ProgressSink } from './progress.js';

// oclif's parser output shapes (not exported by @oclif/core's interfaces).
type FlagOutput = { [name: string]: any };
type ArgOutput = { [name: string]: any };

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof ReprodiffCommand)['baseFlags'] & T['flags']>;

/**
 * What every comparison command shares: engine limits, report outputs, and the exit-code contract
 * (0 equal, 1 differences, 2 usage or input error, 130 interrupted).
 */
export abstract class ReprodiffCommand extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    output: Flags.string({ char: 'o', summary: 'Write the JSON report to this file.', helpGroup: 'OUTPUT' }),
    markdown: Flags.string({ summary: 'Write a Markdown report to this file.', helpGroup: 'OUTPUT' }),
    junit: Flags.string({ summary: 'Write a JUnit XML report to this file.', helpGroup: 'OUTPUT' }),
    html: Flags.string({ summary: 'Write a self-contained HTML report to this file.', helpGroup: 'OUTPUT' }),
    verbose: Flags.boolean({ char: 'v', summary: 'Show every finding, not only the first broken stage.', helpGroup: 'OUTPUT' }),
    'fail-on': Flags.option({ options: ['warning', 'error'] as const, summary: 'Lowest severity that counts as a break (exit 1); default warning.' })(),
    'memory-limit': Flags.string({ summary: 'Memory budget of the run (e.g. 2GB): DuckDB gets 92% of it and spills to --temp-dir beyond that.', helpGroup: 'ENGINE' }),
    'temp-dir': Flags.string({ summary: 'Where DuckDB may spill (a private folder is made inside and removed after).', helpGroup: 'ENGINE' }),
    threads: Flags.integer({ min: 1, summary: 'DuckDB worker threads (default: one per core).', helpGroup: 'ENGINE' }),
    timeout: Flags.integer({ min: 1, summary: 'Database inputs (postgres://): seconds each statement may run (statement_timeout).', helpGroup: 'DATABASE' }),
    pushdown: Flags.option({
      options: ['auto', 'always', 'never'] as const,
      summary: 'Database inputs: compare inside the database (both sides there) or by segment checksums (a table vs a file) when it can (auto), always, or never (download the tables).',
      helpGroup: 'DATABASE',
    })(),
  };

  protected progress: ProgressSink = stderrProgress();

  /** What the command line names as inputs (positional arguments, --env): outputs may never replace them. */
  protected inputPaths: string[] = [];

  override async init(): Promise<void> {
    installOutputGuard();
    await super.init();
    removeSpillOnInterrupt();
  }

  /** Parses as oclif does, then refuses outputs that would replace an input or each other, before any work. */
  protected override async parse<F extends FlagOutput, B extends FlagOutput, A extends ArgOutput>(options?: Interfaces.Input<F, B, A>, argv?: string[]): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv);
    const flags = parsed.flags as Record<string, unknown>;
    this.inputPaths = [...(parsed.argv as unknown[]).filter((a): a is string => typeof a === 'string'), ...(typeof flags.env === 'string' ? [flags.env] : [])];
    assertOutputsFree(outputTargets(flags), this.inputPaths);
    return parsed;
  }

  /** --json prints the report exactly as --output writes it: plain, deterministic, uncoloured. */
  override logJson(json: unknown): void {
    process.stdout.write(renderJson(json as Report));
  }

  /** Renders the report the way the flags ask, writes the files, sets the exit code, and returns the report for --json. */
  protected async finish(unmasked: Report, flags: { output?: string; markdown?: string; junit?: string; html?: string; verbose?: boolean; mask?: string[] }): Promise<Report> {
    const report = maskReport(unmasked, flags.mask);
    this.progress.done();
    const options: RenderOptions = { verbose: Boolean(flags.verbose), color: undefined };
    assertOutputsFree(outputTargets(flags), this.inputPaths);
    if (flags.output) writeFileAtomic(flags.output, renderReport('json', report, options));
    if (flags.markdown) writeFileAtomic(flags.markdown, renderReport('markdown', report, options));
    if (flags.junit) writeFileAtomic(flags.junit, renderReport('junit', report, options));
    if (flags.html) writeFileAtomic(flags.html, renderReport('html', report, options));
    if (!this.jsonEnabled()) this.log(renderReport('terminal', report, options));
    process.exitCode = exitCodeFor(report);
    return report;
  }

  protected engineOptions(flags: { 'memory-limit'?: string; 'temp-dir'?: string; threads?: number; timeout?: number; pushdown?: 'auto' | 'always' | 'never' }) {
    const database = { timeoutMs: flags.timeout === undefined ? undefined : flags.timeout * 1000, pushdown: flags.pushdown };
    const rows = this.progress.rows;
    return {
      memoryLimit: flags['memory-limit'],
      tempDir: flags['temp-dir'],
      threads: flags.threads,
      database,
      ...(rows ? { onQueryProgress: (p: QueryProgress) => rows(p.rowsDone, p.rowsTotal) } : {}),
    };
  }

  protected failOn(flags: { 'fail-on'?: string }): FailOn {
    return flags['fail-on'] === 'error' ? 'error' : 'warning';
  }

  /** A user mistake is one line and exit 2; anything else is a bug: one line too, the stack only with REPRODIFF_DEBUG=1. */
  override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    this.progress.done();
    if (err.oclif?.exit === 0) throw err; // --help, --version
    const known = isReprodiffError(err) ? err : parseErrorToUsage(err);
    const code = known?.code ?? 'E_INTERNAL';
    // Messages quote paths, column names and values: shown as one visible line, whatever they hold.
    const message = visible(known ? known.oneLine() : `internal error: ${err.message.split('\n')[0]}`);
    process.exitCode = known?.exitCode ?? 2;
    if (this.jsonEnabled()) {
      process.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
    } else {
      process.stderr.write(`reprodiff: ${code}: ${message}\n`);
    }
    if (process.env.REPRODIFF_DEBUG === '1' && err.stack) process.stderr.write(`${err.stack}\n`);
  }
}

/** oclif's flag and argument parse failures are usage errors (exit 2), said in one line. */
function parseErrorToUsage(err: Error & { oclif?: { exit?: number } }): ReprodiffError | undefined {
  const name = err.constructor?.name ?? '';
  if (/Parse|Flag|Arg|Validation|Required|Unexpected|Nonexistent|Option|CLIError/.test(name)) {
    const text = err.message
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const line = text.filter((l) => !/^See more help/i.test(l)).join(' ');
    return new ReprodiffError('E_USAGE', line, { suggestion: 'see --help' });
  }
  return undefined;
}

const OUTPUT_FLAGS = ['output', 'markdown', 'junit', 'html', 'write-config', 'diff-rows'] as const;

/** The files a command's flags ask it to write (`--diff-rows-dir`: one file per table stage, see diffRowsDirFiles). */
export function outputTargets(flags: Record<string, unknown>): OutputTarget[] {
  const dir = typeof flags['diff-rows-dir'] === 'string' ? diffRowsDirFiles(flags['diff-rows-dir']).map((f) => ({ flag: '--diff-rows-dir', path: f.path })) : [];
  return [...OUTPUT_FLAGS.filter((f) => typeof flags[f] === 'string').map((f) => ({ flag: `--${f}`, path: flags[f] as string })), ...dir];
}
