import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSnapshot } from '../../src/snapshot/index.js';
import { tempDir } from './helpers.js';

const bin = new URL('../../bin/run.js', import.meta.url).pathname;
const built = existsSync(new URL('../../dist/commands/snapshot.js', import.meta.url));
const csv = new URL('../fixtures/snapshot/small/small.csv', import.meta.url).pathname;
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'snapshot', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

describe.runIf(built)('reprodiff snapshot (built CLI)', () => {
  it('writes the file and one summary line; exit 0', () => {
    const out = join(dir, 's.snapshot.json');
    const r = run(`raw=${csv}`, '--key', 'id', '-o', out);
    expect(r.status).toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/wrote .*s\.snapshot\.json: 1 artifact \(raw\), 40 rows, [\d,]+ bytes/);
    const snap = readSnapshot(out);
    expect(snap.artifacts.raw!.key).toEqual({ columns: ['id'], nullKeyRows: 0, duplicateKeys: 0, duplicateRows: 0 });
    expect(readFileSync(out, 'utf8')).toBe(run(`raw=${csv}`, '--key', 'id').stdout);
  });

  it('bad input is one line and exit 2', () => {
    for (const args of [
      ['missing.csv', '-o', join(dir, 'x.json')],
      [`raw=${csv}`, '--key', 'zz'],
      [`a=${csv}`, `a=${csv}`],
      [`raw=${csv}`, '--category-cap', '2'],
    ]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      // (Under NODE_ENV=test oclif adds an "UnparsedCommand" warning to flag-parse failures; that is not ours.)
      const lines = r.stderr
        .trim()
        .split('\n')
        .filter((l) => !/Warning: Command .* did not parse|--trace-warnings/.test(l));
      expect(lines, `${args.join(' ')}: ${r.stderr}`).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).toMatch(/^reprodiff: E_[A-Z_]+: /);
    }
  });
});
