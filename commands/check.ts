import { Args, Flags } from '@oclif/core';
import { ReprodiffCommand, outputTargets } from '../src/cli/base-command.js';
import { parseKey } from '../src/cli/flags.js';
import type { Report } from '../src/findings/types.js';
import { writeAnnotations } from '../src/cli/output-guard.js';
import { shown } from '../src/report/escape.js';
import { publishToGithub } from '../src/report/github.js';
import { runCheckCommand } from '../src/run/check.js';

export default class Check extends ReprodiffCommand {
  static override summary = 'Walk every stage in order (data, features, splits, predictions, env); name the first that breaks, and why.';
  static override description =
    'Give a reprodiff.yml, or a research folder and a production folder (artifacts are paired by file name: raw*/data* → data, feat* → features, split* → splits, pred*/score* → predictions, requirements*/*freeze*/environment.yml/lock files → env). Downstream differences explained by an upstream break are marked as propagated from it.';
  static override examples = [
    '<%= config.bin %> check reprodiff.yml',
    '<%= config.bin %> check research/ production/ --key customer_id --html report.html',
    '<%= config.bin %> check research/ production/ --write-config reprodiff.yml',
    '<%= config.bin %> check reprodiff.yml --junit reprodiff.xml --markdown summary.md --fail-on error',
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
    'write-config': Flags.string({ summary: 'Save what was paired and inferred as a reprodiff.yml to edit.' }),
  };

  async run(): Promise<Report> {
    const { args, flags } = await this.parse(Check);
    const { report, plan } = await runCheckCommand(
      { first: args.config, production: args.production, writeConfig: flags['write-config'], outputs: outputTargets(flags) },
      {
        engine: this.engineOptions(flags),
        failOn: flags['fail-on'],
        overrides: { key: parseKey(flags.key), truthColumn: flags['truth-col'], scoreColumn: flags['score-col'], labelColumn: flags['label-col'], splitColumn: flags['split-col'] },
        onProgress: (m) => this.progress.step(m),
      },
    );
    this.progress.done();
    if (plan.notes.length > 0) {
      const text = plan.notes.map((n) => (n.startsWith(' ') || n.startsWith('ignored') ? n : `paired ${n}`)).map((n) => shown(n)).join('\n');
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
