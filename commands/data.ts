import { Args } from '@oclif/core';
import { ReprodiffCommand } from '../src/cli/base-command.js';
import { comparisonFlags, diffRowsFlags, driftFlags, tableCompareOptions, tableFlags } from '../src/cli/flags.js';
import type { Report } from '../src/findings/types.js';
import { runData } from '../src/run/data.js';

export default class Data extends ReprodiffCommand {
  static override summary = 'Compare two datasets: schema, row counts, keyed or keyless row diff, per-column statistics.';
  static override description =
    'Raw data is the first place reproducibility breaks. Rows are matched on --key, by their position in file order with --by-position, or else compared as multisets of rows, and every difference is explained with a likely cause.';
  static override examples = [
    '<%= config.bin %> data research/raw.parquet production/raw.csv --key id',
    '<%= config.bin %> data old_export/ new_export/ --key customer_id,date --abs-tol 1e-9 --json',
    '<%= config.bin %> data a.csv b.csv --ignore loaded_at --map amount=amount_eur --tol amount=abs:0.01',
    '<%= config.bin %> data customers_a.parquet customers_b.parquet --key customer_id --mask email --mask salary',
    '<%= config.bin %> data research/raw.parquet production/raw.parquet --key id --diff-rows differences.parquet',
    '<%= config.bin %> data export.csv warehouse.parquet --key code --ignore-spaces --ignore-case',
    '<%= config.bin %> data a.parquet b.parquet --key region,id --null-keys drop',
    '<%= config.bin %> data a.csv b.parquet --by-position',
  ];
  static override args = {
    research: Args.string({ required: true, description: 'Research-side input: file, folder, glob, or db.duckdb#table.' }),
    production: Args.string({ required: true, description: 'Production-side input, same forms.' }),
  };
  static override flags = { ...tableFlags, ...comparisonFlags, ...driftFlags, ...diffRowsFlags };

  async run(): Promise<Report> {
    const { args, flags } = await this.parse(Data);
    const report = await runData(args.research, args.production, {
      ...tableCompareOptions(flags),
      diffRowsFile: flags['diff-rows'],
      engine: this.engineOptions(flags),
      failOn: this.failOn(flags),
      onProgress: (m) => this.progress.step(m),
    });
    return this.finish(report, flags);
  }
}
