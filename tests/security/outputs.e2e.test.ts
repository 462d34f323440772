/** Outputs never replace an input, the config, or each other; they are written whole or not at all. */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { assertValidReport } from '../helpers/schema.js';
import { tempDir } from './helpers.js';

const dir = tempDir('outputs');
const A = 'id,x\n1,2\n2,3\n';
const B = 'id,x\n1,2\n2,4\n';
writeFileSync(join(dir, 'a.csv'), A);
writeFileSync(join(dir, 'b.csv'), B);
mkdirSync(join(dir, 'research'));
mkdirSync(join(dir, 'production'));
writeFileSync(join(dir, 'research', 'raw.csv'), A);
writeFileSync(join(dir, 'production', 'raw.csv'), B);
writeFileSync(join(dir, 'reprodiff.yml'), 'research:\n  data: research/raw.csv\nproduction:\n  data: production/raw.csv\n');
const CONFIG = readFileSync(join(dir, 'reprodiff.yml'), 'utf8');

function unchanged(): void {
  expect(readFileSync(join(dir, 'a.csv'), 'utf8')).toBe(A);
  expect(readFileSync(join(dir, 'b.csv'), 'utf8')).toBe(B);
  expect(readFileSync(join(dir, 'research', 'raw.csv'), 'utf8')).toBe(A);
  expect(readFileSync(join(dir, 'production', 'raw.csv'), 'utf8')).toBe(B);
  expect(readFileSync(join(dir, 'reprodiff.yml'), 'utf8')).toBe(CONFIG);
}

describe('outputs that would replace an input are refused', () => {
  const refused: [string, string[]][] = [
    ['-o over an input', ['data', 'a.csv', 'b.csv', '-o', 'a.csv']],
    ['--html over the other input, through ./', ['data', 'a.csv', 'b.csv', '--html', './b.csv']],
    ['--markdown over an input by absolute path', ['data', 'a.csv', 'b.csv', '--markdown', join(dir, 'a.csv')]],
    ['two outputs to one file', ['data', 'a.csv', 'b.csv', '-o', 'r.json', '--junit', 'r.json']],
    ['--html over the config', ['check', 'reprodiff.yml', '--html', 'reprodiff.yml']],
    ['--write-config over a data input', ['check', 'research', 'production', '--write-config', 'research/raw.csv']],
    ['-o over an artifact named by the config', ['check', 'reprodiff.yml', '-o', 'production/raw.csv']],
    ['snapshot -o over its input', ['snapshot', 'raw=a.csv', '-o', 'a.csv']],
    ['snapshot -o over --env', ['snapshot', 'a.csv', '--env', 'b.csv', '-o', 'b.csv']],
  ];
  for (const [name, args] of refused) {
    it(name, async () => {
      const r = await runCli(args, { cwd: dir });
      expect(r.code, r.stdout).toBe(2);
      expect(r.stderr).toMatch(/^reprodiff: E_USAGE: .*(would overwrite|both write)/);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      unchanged();
    });
  }

  it('writes reports atomically: the files are whole, no temporary file is left', async () => {
    const r = await runCli(['data', 'a.csv', 'b.csv', '--key', 'id', '-o', 'out/r.json', '--html', 'r.html'], { cwd: dir });
    expect(r.code).toBe(2); // out/ does not exist
    expect(r.stderr).toMatch(/cannot write out\/r.json: no such folder/);
    const ok = await runCli(['data', 'a.csv', 'b.csv', '--key', 'id', '-o', 'r.json', '--html', 'r.html', '--markdown', 'r.md'], { cwd: dir });
    expect(ok.code).toBe(1);
    assertValidReport(readFileSync(join(dir, 'r.json'), 'utf8'));
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toMatch(/<\/html>\s*$/);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    // Writing over a previous report is fine (it is not an input).
    expect((await runCli(['data', 'a.csv', 'b.csv', '--key', 'id', '-o', 'r.json'], { cwd: dir })).code).toBe(1);
    unchanged();
  });

  it('a device output is written in place (-o /dev/null)', async () => {
    expect((await runCli(['data', 'a.csv', 'b.csv', '-o', '/dev/null'], { cwd: dir })).code).toBe(1);
  });
});
