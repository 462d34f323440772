import { Args, Flags } from '@oclif/core';
import { ReprodiffCommand } from '../src/cli/base-command.js';
import { parseKey, parseRenames, readOptions, tableFlags } from '../src/cli/flags.js';
import type { Report } from '../src/findings/types.js';
import { runSplits } from '../src/run/splits.js';

const { key, ignore, map, sample, format, delimiter, header, decimal, encoding } = tableFlags;
const nullValues = tableFlags['null-values'];

export default class Splits extends ReprodiffCommand {
  static override summary = 'Compare train/validation/test splits: membership agreement, transitions, leakage, sizes and label balance.';
  static override description =
    'Each side is one assignment table (one row per id with its split), a comma-separated list of files, or a folder with one file per split (the split is the file name). With --key: Jaccard agreement per split, the research→production transition matrix, ids or groups in more than one split, and the likely cause (unseeded split, split depending on row order, group split expected). Without --key, or when the sides share no ids, split proportions and label balance are compared.';
  static override examples = [
    '<%= config.bin %> splits research/splits.csv production/splits.parquet --key id --label-col y',
    '<%= config.bin %> splits research/train.csv,research/val.csv,research/test.csv production/splits/ --key id',
    '<%= config.bin %> splits a.csv b.csv --key id --group-col customer_id --raw-research raw.csv --raw-production raw_prod.csv',
  ];
  static override args = {
    research: Args.string({ required: true, description: 'Research-side assignments: file, folder of per-split files, or a comma-separated list.' }),
    production: Args.string({ required: true, description: 'Production-side assignments, same forms.' }),
  };
  static override flags = {
    key,
    ignore,
    map,
    sample,
    format,
    delimiter,
    header,
    'null-values': nullValues,
    decimal,
    encoding,
    'split-col': Flags.string({ summary: 'Split column (default: inferred from split, fold, subset, partition, set; "split" for per-split files).' }),
    'label-col': Flags.string({ summary: 'Label column for the balance check (default: inferred from y, label, target, y_true, truth).' }),
    'group-col': Flags.string({ summary: 'Group column: a group must stay in one split.' }),
    'raw-research': Flags.string({ summary: 'Raw research dataset keyed like the assignments: duplicate rows across splits are leakage.' }),
    'raw-production': Flags.string({ summary: 'Raw production dataset keyed like the assignments.' }),
  };

  async run(): Promise<Report> {
    const { args, flags } = await this.parse(Splits);
    const report = await runSplits(args.research, args.production, {
      key: parseKey(flags.key),
      ignore: flags.ignore,
      rename: parseRenames(flags.map),
      splitColumn: flags['split-col'],
      labelColumn: flags['label-col'],
      groupColumn: flags['group-col'],
      rawResearch: flags['raw-research'],
      rawProduction: flags['raw-production'],
      sample: flags.sample,
      read: readOptions(flags),
      engine: this.engineOptions(flags),
      failOn: this.failOn(flags),
      onProgress: (m) => this.progress.step(m),
    });
    return this.finish(report, flags);
  }
}
