import { Flags } from '@oclif/core';
import { basename } from 'node:path';
import { ReprodiffCommand } from '../src/cli/base-command.js';
import { parseKey, readOptions, tableFlags } from '../src/cli/flags.js';
import { ReprodiffError } from '../src/errors.js';
import { shown } from '../src/text/escape.js';
import { writeFileAtomic } from '../src/report/write.js';
import { withInputs } from '../src/sources/open.js';
import { readEnvironment } from '../src/sources/env/detect.js';
import { FORMATS } from '../src/sources/resolve.js';
import { SNAPSHOT_DEFAULTS, makeSnapshot, serializeSnapshot } from '../src/snapshot/index.js';

/** What `--json` prints: the one-line summary as data. */
export interface SnapshotCommandResult {
  readonly output: string | null;
  readonly artifacts: readonly { name: string; rows: number; columns: number }[];
  readonly bytes: number;
}

const base = ReprodiffCommand.baseFlags;

export default class Snapshot extends ReprodiffCommand {
  static override summary = 'Write a compact fingerprint of research artifacts that production can later be compared against.';
  static override description =
    'For each artifact: schema, row count, order-independent content hash, the column statistics of `reprodiff data`, and what the drift tests need (decile bins, a 1001-level quantile sketch, category frequencies up to --category-cap); plus the environment with --env. Then `reprodiff data file.snapshot.json#name production.csv` runs every check the snapshot can answer.';
  static override examples = [
    '<%= config.bin %> snapshot raw=research/raw.parquet features=research/features.parquet --env research/requirements.txt --key id -o research.snapshot.json',
    '<%= config.bin %> snapshot research/raw.csv -o raw.snapshot.json',
  ];
  static override strict = false;
  // A snapshot is not a comparison: only the engine flags of the shared set apply.
  static override baseFlags = { 'memory-limit': base['memory-limit'], 'temp-dir': base['temp-dir'], threads: base.threads } as unknown as (typeof ReprodiffCommand)['baseFlags'];
  static override flags = {
    output: Flags.string({ char: 'o', summary: 'Write the snapshot to this file (default: standard output).' }),
    env: Flags.string({ summary: 'Environment file to include (pip freeze, requirements, conda, lock file, env capture).' }),
    key: Flags.string({ char: 'k', summary: 'Key column(s), comma-separated: their null and duplicate keys are recorded.' }),
    'category-cap': Flags.integer({ summary: 'Category frequencies kept per column (and distinct numeric values stored exactly).', default: SNAPSHOT_DEFAULTS.categoryCap, min: 5 }),
    format: Flags.option({ options: FORMATS, summary: 'Input format, when the file name does not tell.' })(),
    delimiter: Flags.string({ summary: 'CSV delimiter (default: sniffed).' }),
    header: tableFlags.header,
    'null-values': tableFlags['null-values'],
    decimal: tableFlags.decimal,
    encoding: tableFlags.encoding,
  };

  override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  }

  async run(): Promise<SnapshotCommandResult> {
    const { argv, flags } = await this.parse(Snapshot);
    const inputs = (argv as string[]).map(namedInput);
    if (inputs.length === 0) throw new ReprodiffError('E_USAGE', 'no inputs to snapshot', { suggestion: 'write reprodiff snapshot name=path … -o file.snapshot.json' });
    const env = flags.env ? readEnvironment(flags.env) : undefined;
    const read = readOptions(flags);
    const snapshot = await withInputs(
      inputs.map((i) => ({ path: i.path, read })),
      this.engineOptions(flags),
      async (engine, open) => {
        const datasets = [];
        for (let i = 0; i < inputs.length; i++) datasets.push({ name: inputs[i]!.name, dataset: await open(i, inputs[i]!.name) });
        return makeSnapshot(engine, datasets, { key: parseKey(flags.key), categoryCap: flags['category-cap'], env, onProgress: (m) => this.progress.step(m) });
      },
    );
    this.progress.done();
    const text = serializeSnapshot(snapshot);
    const bytes = Buffer.byteLength(text);
    const artifacts = Object.entries(snapshot.artifacts).map(([name, a]) => ({ name, rows: a.rows, columns: a.columns.length }));
    if (flags.output) {
      writeFileAtomic(flags.output, text);
      if (!this.jsonEnabled()) {
        const rows = artifacts.reduce((x, a) => x + a.rows, 0);
        process.stderr.write(
          `reprodiff: wrote ${shown(flags.output)}: ${artifacts.length} artifact${artifacts.length === 1 ? '' : 's'} (${artifacts.map((a) => a.name).join(', ')}), ${rows.toLocaleString('en-US')} rows, ${bytes.toLocaleString('en-US')} bytes\n`,
        );
      }
    } else if (!this.jsonEnabled()) {
      process.stdout.write(text);
    }
    return { output: flags.output ?? null, artifacts, bytes };
  }
}

/** `name=path`, or a plain path named after its file stem (`raw.parquet` → raw). */
export function namedInput(arg: string): { name: string; path: string } {
  const eq = arg.indexOf('=');
  if (eq > 0 && /^[A-Za-z0-9_.-]+$/.test(arg.slice(0, eq))) return { name: arg.slice(0, eq), path: arg.slice(eq + 1) };
  const stem =
    basename(arg)
      .replace(/\.(gz|zst)$/i, '')
      .replace(/\.[^.]*$/, '') || basename(arg);
  return { name: stem.replace(/[^A-Za-z0-9_.-]/g, '_'), path: arg };
}
