import { Flags } from '@oclif/core';
import { ReprodiffCommand } from '../../src/cli/base-command.js';
import { captureEnvironment } from '../../src/sources/env/capture.js';
import { shown } from '../../src/text/escape.js';
import { writeFileAtomic } from '../../src/report/write.js';
import type { Fingerprint } from '../../src/sources/env/fingerprint.js';

export default class EnvCapture extends ReprodiffCommand {
  static override summary = 'Write the current Python environment as a fingerprint that `reprodiff env` can compare.';
  static override description =
    'Runs the Python interpreter on PATH (or --python): pip freeze, version, implementation, platform, plus OS and CPU facts. Fails with one line when Python or pip is absent.';
  static override examples = ['<%= config.bin %> env capture -o production-env.json', '<%= config.bin %> env capture --python .venv/bin/python -o research-env.json'];
  // Capture writes no report and runs no engine: none of the shared report/engine flags apply.
  static override baseFlags = {} as (typeof ReprodiffCommand)['baseFlags'];
  static override flags = {
    output: Flags.string({ char: 'o', summary: 'Write the fingerprint to this file (default: standard output).' }),
    python: Flags.string({ summary: 'Python interpreter to run (default: python3, then python, on PATH).' }),
    timeout: Flags.integer({ summary: 'Seconds each Python call may take.', default: 60, min: 1 }),
  };

  async run(): Promise<Fingerprint> {
    const { flags } = await this.parse(EnvCapture);
    const fingerprint = captureEnvironment({ python: flags.python, timeoutMs: flags.timeout * 1000 });
    const text = `${JSON.stringify(fingerprint, null, 2)}\n`;
    if (flags.output) {
      writeFileAtomic(flags.output, text);
      if (!this.jsonEnabled()) process.stderr.write(`reprodiff: wrote ${shown(flags.output)} (${fingerprint.pipFreeze.length} packages, Python ${fingerprint.python.version})\n`);
    } else if (!this.jsonEnabled()) {
      process.stdout.write(text);
    }
    return fingerprint;
  }
}
