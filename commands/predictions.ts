import { Args, Flags } from '@oclif/core';
import { ReprodiffCommand } from '../src/cli/base-command.js';
import { parseKey, parseRenames, parseTolerances, readOptions, tableFlags } from '../src/cli/flags.js';
import { ReprodiffError } from '../src/errors.js';
import type { Report } from '../src/findings/types.js';
import { runPredictions } from '../src/run/predictions.js';
import { REQUIRE_FLAG_SUMMARY, parseRequirements } from '../src/compare/predictions/requirements.js';

const { tol: _tol, stats: _stats, ...shared } = tableFlags;

export default class Predictions extends ReprodiffCommand {
  static override summary = 'Compare predictions: tolerant match, NaN/inf, label flips, rank agreement, metrics, and which feature differences explain the mismatches.';
  static override description =
    "Rows are matched on --key. With a ground truth, --require METRIC>=VALUE (repeatable) is a regression gate: each environment's metric must meet it, or the run fails with a performance_requirement error (a requirement that cannot be checked, e.g. without a truth column, fails too). Tiny differences everywhere are floating-point noise (library/BLAS); large ones on a subset are attributed to the features that differ on the same rows (--features-research/--features-production); large ones everywhere with no upstream explanation point at an unseeded model. Without --key, or when the sides share no ids, score and label distributions are compared with the drift tests.";
  static override examples = [
    '<%= config.bin %> predictions research/preds.csv production/preds.csv --key id --score-col proba --truth-col y',
    '<%= config.bin %> predictions a.parquet b.parquet --key id --rel-tol 1e-6 --features-research a_features.parquet --features-production b_features.parquet',
    '<%= config.bin %> predictions train_scores.csv live_scores.csv --json',
    "<%= config.bin %> predictions research/preds.csv production/preds.csv --key id --truth-col y --require 'auc>=0.85' --require 'recall>=0.7'",
  ];
  static override args = {
    research: Args.string({ required: true, description: 'Research-side predictions: file, folder, glob, or db.duckdb#table.' }),
    production: Args.string({ required: true, description: 'Production-side predictions, same forms.' }),
  };
  static override flags = {
    ...shared,
    'score-col': Flags.string({ summary: 'Score / probability column (default: inferred from common names).' }),
    'label-col': Flags.string({ summary: 'Predicted label column (default: inferred from common names).' }),
    'truth-col': Flags.string({ summary: 'Ground-truth column: metrics in each environment (default: inferred from y, label, target, y_true, truth).' }),
    threshold: Flags.string({ summary: 'Decision threshold on the score (default 0.5).' }),
    'metric-tol': Flags.string({ summary: 'Allowed metric drop (absolute; relative for RMSE/MAE), default 0.01.' }),
    'features-research': Flags.string({ summary: 'Research features keyed like the predictions, to attribute mismatches.', dependsOn: ['features-production'] }),
    'features-production': Flags.string({ summary: 'Production features keyed like the predictions.', dependsOn: ['features-research'] }),
    'features-key': Flags.string({ summary: 'Key column(s) of the feature files, when named differently.' }),
    require: Flags.string({ summary: REQUIRE_FLAG_SUMMARY, multiple: true }),
  };

  async run(): Promise<Report> {
    const { args, flags } = await this.parse(Predictions);
    const requirements = parseRequirements(flags.require);
    const report = await runPredictions(args.research, args.production, {
      key: parseKey(flags.key),
      ignore: flags.ignore,
      rename: parseRenames(flags.map),
      tolerance: parseTolerances(flags).default,
      scoreColumn: flags['score-col'],
      labelColumn: flags['label-col'],
      truthColumn: flags['truth-col'],
      threshold: parseNumberFlag(flags.threshold, '--threshold'),
      metricTolerance: parseNumberFlag(flags['metric-tol'], '--metric-tol'),
      sample: flags.sample,
      featuresResearch: flags['features-research'],
      featuresProduction: flags['features-production'],
      featuresKey: parseKey(flags['features-key']),
      requirements,
      read: readOptions(flags),
      engine: this.engineOptions(flags),
      failOn: this.failOn(flags),
      onProgress: (m) => this.progress.step(m),
    });
    return this.finish(report, flags);
  }
}

function parseNumberFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new ReprodiffError('E_USAGE', `${flag} must be a number ≥ 0, got '${text}'`);
  return n;
}
