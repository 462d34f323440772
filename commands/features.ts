import { Args, Flags } from '@oclif/core';
import { ReprodiffCommand } from '../src/cli/base-command.js';
import { comparisonFlags, diffRowsFlags, driftFlags, tableCompareOptions, tableFlags } from '../src/cli/flags.js';
import type { Report } from '../src/findings/types.js';
import { runFeatures } from '../src/run/data.js';

export default class Features extends ReprodiffCommand {
  static override summary = 'Compare feature outputs: everything `data` does, plus drift tests and null/NaN/inf/clipping handling.';
  static override description =
    "Same raw data, different features — or live data drifting away from training data. Numeric columns get KS, Wasserstein, PSI and Jensen–Shannon; categorical ones chi-square, PSI, Jensen–Shannon and unseen categories. Small samples (≤1000 research rows) are judged by p-value < 0.05, larger ones by normalised Wasserstein or Jensen–Shannon ≥ 0.1. --test / --drift-test choose another of the registered tests (Anderson–Darling, Cramér–von Mises, Mann–Whitney, Welch's t, energy, Hellinger, KL, total variation, G-test, Cramér's V, chi-square goodness of fit, Fisher and the two-proportion z-test for binary columns).";
  static override examples = [
    '<%= config.bin %> features research/features.parquet production/features.parquet --key id',
    '<%= config.bin %> features train.parquet live.parquet --test income=psi --threshold income=0.2',
    '<%= config.bin %> features train.parquet live.parquet --drift-test anderson --test churned=fisher',
    '<%= config.bin %> features a.csv b.csv --key id --time-col event_time --json',
    '<%= config.bin %> features a.parquet b.parquet --key id --diff-rows feature-differences.csv --mask email',
    '<%= config.bin %> features research.csv production.csv --key id --ignore-spaces --ignore-case --null-keys drop',
    '<%= config.bin %> features research.csv production.parquet --by-position',
  ];
  static override args = {
    research: Args.string({ required: true, description: 'Research-side features: file, folder, glob, or db.duckdb#table.' }),
    production: Args.string({ required: true, description: 'Production-side features, same forms.' }),
  };
  static override flags = {
    ...tableFlags,
    ...comparisonFlags,
    ...driftFlags,
    ...diffRowsFlags,
    'time-col': Flags.string({ summary: 'Event-time column: report the last time each feature was populated.' }),
  };

  async run(): Promise<Report> {
    const { args, flags } = await this.parse(Features);
    const report = await runFeatures(args.research, args.production, {
      ...tableCompareOptions(flags),
      diffRowsFile: flags['diff-rows'],
      timeColumn: flags['time-col'],
      engine: this.engineOptions(flags),
      failOn: this.failOn(flags),
      onProgress: (m) => this.progress.step(m),
    });
    return this.finish(report, flags);
  }
}
