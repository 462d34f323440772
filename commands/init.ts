import { Args, Command, Flags } from '@oclif/core';
import { existsSync, writeFileSync } from 'node:fs';
import { STARTER_CONFIG } from '../src/config/starter.js';
import { ReprodiffError } from '../src/errors.js';

export default class Init extends Command {
  static override summary = 'Write a commented starter reprodiff.yml.';
  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init ci/reprodiff.yml --force'];
  static override args = { file: Args.string({ default: 'reprodiff.yml', description: 'Where to write the config.' }) };
  static override flags = { force: Flags.boolean({ summary: 'Overwrite an existing file.' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Init);
    try {
      if (existsSync(args.file) && !flags.force) throw new ReprodiffError('E_USAGE', `${args.file} exists`, { suggestion: 'pass --force to overwrite it' });
      writeFileSync(args.file, STARTER_CONFIG);
    } catch (e) {
      const line = e instanceof ReprodiffError ? `${e.code}: ${e.oneLine()}` : `E_USAGE: cannot write ${args.file}: ${(e as Error).message}`;
      process.stderr.write(`reprodiff: ${line}\n`);
      process.exitCode = 2;
      return;
    }
    this.log(`wrote ${args.file}: edit the paths, then run \`reprodiff check ${args.file}\``);
  }
}
