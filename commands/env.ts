import { Args, Flags } from '@oclif/core';
import { ReprodiffCommand } from '../src/cli/base-command.js';
import { runEnv } from '../src/compare/env/run.js';
import type { Report } from '../src/findings/types.js';

export default class Env extends ReprodiffCommand {
  static override summary = 'Compare two environments: interpreter, library versions, packages on one side only.';
  static override description =
    'Reads pip freeze, requirements.txt, conda environment.yml / conda list --export, poetry.lock, uv.lock, Pipfile.lock, renv.lock, package-lock.json and `reprodiff env capture` fingerprints (detected by name or content). Versions are ordered by PEP 440; numerical libraries (numpy, scipy, pandas, scikit-learn, torch, …) weigh more.';
  static override examples = [
    '<%= config.bin %> env research/requirements.txt production/pip-freeze.txt',
    '<%= config.bin %> env environment.yml prod.lock.json --json',
    '<%= config.bin %> env research-env.json production-env.json --numeric-packages shap,numba',
  ];
  static override args = {
    research: Args.string({ required: true, description: 'Research-side environment file.' }),
    production: Args.string({ required: true, description: 'Production-side environment file.' }),
  };
  static override flags = {
    'numeric-packages': Flags.string({ summary: 'More packages whose version changes numerical results, comma-separated (e.g. shap,numba).' }),
  };

  async run(): Promise<Report> {
    const { args, flags } = await this.parse(Env);
    const report = runEnv(args.research, args.production, {
      numericPackages: (flags['numeric-packages'] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      failOn: this.failOn(flags),
    });
    return this.finish(report, flags);
  }
}
