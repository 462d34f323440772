#!/usr/bin/env node
// Entry point. Errors outside a command (unknown command, bad topic) are usage errors: one line, exit 2.
import { flush, handle, run } from '@oclif/core';
import { installOutputGuard } from '../dist/src/cli/output-guard.js';

// Before anything prints: no line of ours, of oclif's or of a dependency's can carry a workflow command or a
// raw control character (src/cli/output-guard.ts).
installOutputGuard();

try {
  await run(process.argv.slice(2), import.meta.url);
  await flush();
} catch (error) {
  if (error?.oclif?.exit === 0 || error?.code === 'EEXIT') {
    await handle(error);
  } else {
    const line = String(error?.message ?? error).split('\n')[0];
    process.stderr.write(`reprodiff: E_USAGE: ${line} (see reprodiff --help)\n`);
    if (process.env.REPRODIFF_DEBUG === '1' && error?.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 2;
  }
}
