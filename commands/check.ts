import { Args, Flags } from '@oclif/core';
import { ReprodiffCommand, outputTargets } from '../src/cli/base-command.js';
import { positionWithKeyError } from '../src/compare/data/position.js';
import { comparisonFlags, comparisonOptions, driftFlags, parseDrift, parseKey, parseRenames, parseTolerances, tableFlags } from '../src/cli/flags.js';
import type { ComparisonFlagValues } from '../src/cli/flags.js';
import { ReprodiffError } from '../src/errors.js';
import { STAGES } from '../src/findings/types.js';
import type { Stage } from '../src/findings/types.js';
import type { Report } from '../src/findings/types.js';
import { writeAnnotations } from '../src/cli/output-guard.js';
import { shown } from '../src/text/escape.js';
import { publishToGithub } from '../src/report/github.js';
import { runCheckCommand } from '../src/run/check.js';
import type { CheckFlagSettings } from '../src/run/check.js';
import { REQUIRE_FLAG_SUMMARY, parseRequirements } from '../src/compare/predictions/requirements.js';

export default class Check extends ReprodiffCommand {
  static override summary = 'Walk every stage in order (data, features, splits, predictions, env); name the first that breaks, and why.';
  static override description =
    'Give a reprodiff.yml, or a research folder and a production folder (artifacts are paired by a stage word anywhere in the file name: raw/data/input → data, feat… → features, split/fold → splits, pred/score/proba → predictions, requirements/freeze/conda/lock files → env; the rest by content: environment text, a split or prediction column, the same columns as another artifact). A file left out or a stage on one side only is a warning. The comparison flags of the stage commands apply over the config. Downstream differences explained by an upstream break are marked as propagated from it.';
  static override examples = [
    '<%= config.bin %> check reprodiff.yml',
    '<%= config.bin %> check research/ production/ --key customer_id --html report.html',
    '<%= config.bin %> check research/ production/ --write-config reprodiff.yml',
    '<%= config.bin %> check reprodiff.yml --junit reprodiff.xml --markdown summary.md --fail-on error',
    "<%= config.bin %> check reprodiff.yml --require 'auc>=0.85' --require 'recall>=0.7'",
    '<%= config.bin %> check research/ production/ --key id --diff-rows-dir differences/',
    '<%= config.bin %> check research/ production/ --key id --ignore-spaces --ignore-case --null-keys drop',
    '<%= config.bin %> check reprodiff.yml --by-position',
  ];
  static override args = {
    config: Args.string({ required: true, description: 'reprodiff.yml, or the research folder.' }),
    production: Args.string({ required: false, description: 'The production folder (when the first argument is the research folder).' }),
  };
  static override flags = {
    key: Flags.string({ char: 'k', summary: 'Key column(s) shared by the stages, comma-separated (default: config, else inferred).' }),
    'truth-col': Flags.string({ summary: 'Ground-truth column of the predictions.' }),
    'score-col': Flags.string({ summary: 'Score column of the predictions.' }),
    'label-col': Flags.string({ summary: 'Predicted-label column of the predictions.' }),
    'split-col': Flags.string({ summary: 'Split column of the split assignments.' }),
    'group-col': Flags.string({ summary: 'Group column of the split assignments: a group must stay in one split.' }),
    ignore: tableFlags.ignore,
    map: tableFlags.map,
    'abs-tol': tableFlags['abs-tol'],
    'rel-tol': tableFlags['rel-tol'],
    tol: tableFlags.tol,
    ...comparisonFlags,
    sample: Flags.integer({ summary: 'Differing rows (keys) shown per finding (default 5).', min: 0 }),
    test: driftFlags.test,
    threshold: driftFlags.threshold,
    require: Flags.string({ summary: `${REQUIRE_FLAG_SUMMARY} Added to stages.predictions.require.`, multiple: true }),
    'require-stages': Flags.string({ summary: `Stages that must be compared, comma-separated (${STAGES.join(', ')}): a missing or one-sided stage is an error.` }),
    'write-config': Flags.string({ summary: 'Save what was paired and inferred as a reprodiff.yml to edit.' }),
    'diff-rows-dir': Flags.string({ summary: 'Write every differing row of each keyed table stage to this folder (data.parquet, features.parquet), as data --diff-rows does.', helpGroup: 'OUTPUT' }),
  };

  async run(): Promise<Report> {
    const { args, flags } = await this.parse(Check);
    if (flags['by-position'] && flags.key !== undefined) throw positionWithKeyError();
    const { report, plan } = await runCheckCommand(
      { first: args.config, production: args.production, writeConfig: flags['write-config'], diffRowsDir: flags['diff-rows-dir'], outputs: outputTargets(flags), settings: checkSettings(flags) },
      {
        engine: this.engineOptions(flags),
        failOn: flags['fail-on'],
        overrides: {
          key: parseKey(flags.key),
          truthColumn: flags['truth-col'],
          scoreColumn: flags['score-col'],
          labelColumn: flags['label-col'],
          splitColumn: flags['split-col'],
          groupColumn: flags['group-col'],
        },
        onProgress: (m) => this.progress.step(m),
      },
    );
    this.progress.done();
    if (plan.notes.length > 0) {
      const text = plan.notes
        .map((n) => (n.startsWith(' ') || n.startsWith('ignored') ? n : `paired ${n}`))
        .map((n) => shown(n))
        .join('\n');
      if (this.jsonEnabled()) process.stderr.write(`${text}\n`);
      else this.log(`${text}\n`);
    }
    if (process.env.GITHUB_ACTIONS === 'true' || process.env.GITHUB_STEP_SUMMARY) {
      const annotations = publishToGithub(report);
      if (annotations && !this.jsonEnabled()) writeAnnotations(annotations);
    }
    return this.finish(report, flags);
  }
}

/** The stage commands' comparison flags, as settings over reprodiff.yml. */
function checkSettings(
  flags: ComparisonFlagValues & {
    ignore?: string[];
    map?: string[];
    'abs-tol'?: string;
    'rel-tol'?: string;
    tol?: string[];
    sample?: number;
    test?: string[];
    threshold?: string[];
    'require-stages'?: string;
    require?: string[];
  },
): CheckFlagSettings {
  const t = parseTolerances(flags);
  const tolerance =
    flags['abs-tol'] !== undefined || flags['rel-tol'] !== undefined || flags.tol?.length
      ? {
          ...(flags['abs-tol'] !== undefined ? { abs: t.default.abs } : {}),
          ...(flags['rel-tol'] !== undefined ? { rel: t.default.rel } : {}),
          columns: Object.fromEntries(Object.entries(t.perColumn).map(([c, v]) => [c, { abs: v.abs, rel: v.rel }])),
        }
      : undefined;
  const drift = parseDrift({ test: flags.test, threshold: flags.threshold, bins: 10 });
  const required = (flags['require-stages'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = required.find((s) => !(STAGES as readonly string[]).includes(s));
  if (unknown) throw new ReprodiffError('E_USAGE', `--require-stages: unknown stage '${unknown}'`, { suggestion: `stages are ${STAGES.join(', ')}` });
  return {
    ignore: flags.ignore,
    rename: parseRenames(flags.map),
    tolerance,
    sample: flags.sample,
    requireStages: required as Stage[],
    requirements: parseRequirements(flags.require),
    drift: { tests: drift.tests, thresholds: drift.thresholds },
    ...comparisonOptions(flags),
  };
}
