import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertValidError, assertValidReport } from '../helpers/schema.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (c: string, f: string) => join(root, 'tests/fixtures/splits', c, f);

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/run.js'), 'splits', ...args, '--json'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status, json: JSON.parse(r.stdout) as Record<string, any> };
}
const pair = (c: string) => [fixture(c, 'research.csv'), fixture(c, 'production.csv')];

describe('reprodiff splits (end to end)', () => {
  it.each([
    ['equal', [], 0, null, null, null],
    ['unseeded', [], 1, 'split_unseeded', ['split'], 142],
    ['order-dependent', [], 1, 'split_order_dependent', ['split'], 140],
    ['group-leak', ['--group-col', 'g'], 1, 'group_split_broken', ['split', 'g'], 132],
    ['leakage', [], 1, 'split_leakage', ['split'], 10],
    ['raw-duplicates', ['--raw-research', fixture('raw-duplicates', 'raw.csv')], 1, 'split_leakage', ['split'], 16],
  ] as const)('%s exits %i with %s', (c, extra, code, cause, columns, rows) => {
    const r = cli([...pair(c), '--key', 'id', ...extra]);
    expect(r.code).toBe(code);
    assertValidReport(r.json);
    expect(r.json).toMatchObject({ command: 'splits', verdict: code ? 'different' : 'equal' });
    expect(r.json.stages[0].summary.transitions.counts.flat().reduce((a: number, b: number) => a + b, 0)).toBeGreaterThan(0);
    if (cause) expect(r.json.findings.find((f: any) => f.cause === cause)).toMatchObject({ stage: 'splits', columns, rowsAffected: rows, propagatedFrom: null });
  });

  it('one file per split, as a comma list or a folder', () => {
    const list = ['train', 'val', 'test'].map((s) => fixture('per-split-files/research', `${s}.csv`)).join(',');
    expect(cli([list, fixture('per-split-files', 'production.csv'), '--key', 'id']).code).toBe(0);
    const r = cli([fixture('per-split-files', 'research'), fixture('per-split-files', 'production.csv'), '--key', 'id']);
    expect(r.code).toBe(0);
    assertValidReport(r.json);
  });

  it('without --key compares proportions and label balance and says so', () => {
    const r = cli(pair('proportions'));
    expect(r.code).toBe(1);
    assertValidReport(r.json);
    expect(r.json.stages[0].reason).toMatch(/^no --key/);
    expect(r.json.findings.map((f: any) => f.cause)).toEqual(['split_proportions', 'label_balance']);
  });

  it('an unknown split column exits 2 with one line', () => {
    const r = cli([...pair('equal'), '--key', 'id', '--split-col', 'nope']);
    expect(r.code).toBe(2);
    assertValidError(r.json);
  });
});
