import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSplitInput, runSplits } from '../../src/run/splits.js';
import type { SplitRunOptions } from '../../src/run/splits.js';
import type { Report } from '../../src/findings/types.js';
import { sortSplits } from '../../src/compare/splits/index.js';
import { renderJson } from '../../src/report/json.js';

const fixture = (c: string, f = '') => fileURLToPath(new URL(`../fixtures/splits/${c}/${f}`, import.meta.url)).replace(/\/$/, '');
const ref: any = JSON.parse(readFileSync(fileURLToPath(new URL('../reference/predictions.json', import.meta.url)), 'utf8'));

function run(c: string, options: SplitRunOptions = {}): Promise<Report> {
  return runSplits(fixture(c, 'research.csv'), fixture(c, 'production.csv'), { key: ['id'], ...options });
}
const summary = (r: Report) => r.stages[0]!.summary as any;
const causes = (r: Report) => r.findings.map((f) => f.cause);
const close = (actual: number, expected: number, rel = 1e-9) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-300);

describe('compareSplits: planted causes', () => {
  it('the same assignment in another row and column order is equal', async () => {
    const r = await run('equal');
    expect(r.verdict).toBe('equal');
    expect(summary(r)).toMatchObject({
      mode: 'keyed',
      inferred: { split: 'split', label: 'y' },
      transitions: {
        research: ['train', 'val', 'test'],
        production: ['train', 'val', 'test'],
        counts: [
          [210, 0, 0],
          [0, 45, 0],
          [0, 0, 45],
        ],
      },
      agreement: { train: { inBoth: 210, onlyResearch: 0, onlyProduction: 0, jaccard: 1 } },
    });
  });

  it('same sizes, other members: unseeded random split', async () => {
    const r = await run('unseeded');
    expect(causes(r)).toEqual(['split_unseeded']);
    expect(r.findings[0]).toMatchObject({ severity: 'error', columns: ['split'], rowsAffected: 142 });
    const s = summary(r);
    expect(s.transitions.counts).toEqual(ref.splits.unseeded.counts);
    for (const name of ['train', 'val', 'test']) close(s.agreement[name].jaccard, ref.splits.unseeded.jaccard[name], 1e-11);
  });

  it('production equals research position by position when sorted by load time: order-dependent split', async () => {
    const r = await run('order-dependent');
    expect(causes(r)).toEqual(['split_order_dependent']);
    expect(r.findings[0]).toMatchObject({ rowsAffected: 140, evidence: { researchOrder: 'file order', productionOrder: 'sorted by ts' } });
  });

  it('per-split files are not mistaken for an order-dependent split', async () => {
    const r = await runSplits(['train', 'val', 'test'].map((s) => fixture('per-split-files/research', `${s}.csv`)).join(','), fixture('unseeded', 'production.csv'), { key: ['id'] });
    expect(causes(r)).toEqual(['split_unseeded']);
  });

  it('groups broken across splits: a group split was expected', async () => {
    const r = await run('group-leak', { groupColumn: 'g' });
    expect(causes(r)).toEqual(['group_split_broken']);
    expect(r.findings[0]).toMatchObject({ columns: ['split', 'g'], rowsAffected: 132, evidence: { brokenGroups: 47 } });
    expect(summary(r).groups.research.brokenGroups).toBe(0);
  });

  it('ids in two splits are leakage', async () => {
    const r = await run('leakage');
    const f = r.findings.find((x) => x.cause === 'split_leakage')!;
    expect(f).toMatchObject({ severity: 'error', rowsAffected: 10, evidence: { side: 'production', combinations: { 'test + train': 10 } } });
  });

  it('duplicate raw rows straddling train and test are leakage', async () => {
    const r = await run('raw-duplicates', { rawResearch: fixture('raw-duplicates', 'raw.csv') });
    expect(causes(r)).toEqual(['split_leakage']);
    expect(r.findings[0]).toMatchObject({ rowsAffected: 16, evidence: { kind: 'duplicate_rows', duplicateGroups: 8 } });
  });

  it('a folder of per-split files equals the same assignment as one table', async () => {
    const r = await runSplits(fixture('per-split-files', 'research'), fixture('per-split-files', 'production.csv'), { key: ['id'] });
    expect(r.verdict).toBe('equal');
    expect(summary(r).sizes.research).toEqual({ train: 210, val: 45, test: 45 });
  });

  it('no shared ids: proportions and label balance, with chi-square values of scipy', async () => {
    const r = await run('proportions');
    expect(summary(r).mode).toBe('proportions');
    expect(r.stages[0]!.reason).toMatch(/^the sides share no ids/);
    expect(causes(r)).toEqual(['split_proportions', 'label_balance']);
    const p = summary(r).proportions.chiSquare;
    close(p.statistic, ref.splits.proportions.proportions.statistic, 1e-11);
    close(p.pvalue, ref.splits.proportions.proportions.pvalue, 1e-9);
    const l = summary(r).labels.bySplit.test.chiSquare;
    close(l.statistic, ref.splits.proportions.labelTest.statistic, 1e-11);
    close(l.pvalue, ref.splits.proportions.labelTest.pvalue, 1e-9);
    const noKey = await run('proportions', { key: undefined });
    expect(noKey.stages[0]!.reason).toMatch(/^no --key/);
  });

  it('same inputs give byte-identical JSON', async () => {
    expect(renderJson(await run('group-leak', { groupColumn: 'g' }))).toBe(renderJson(await run('group-leak', { groupColumn: 'g' })));
  });
});

describe('split inputs', () => {
  it('reads comma lists and folders as one file per split', () => {
    expect(parseSplitInput('a/train.csv,a/test.csv.gz').perSplit).toEqual([
      { split: 'train', path: 'a/train.csv' },
      { split: 'test', path: 'a/test.csv.gz' },
    ]);
    expect(parseSplitInput(fixture('per-split-files', 'research')).perSplit?.map((p) => p.split)).toEqual(['test', 'train', 'val']);
    expect(parseSplitInput(fixture('equal', 'research.csv')).path).toBeDefined();
  });

  it('sorts split names train, validation, test, then alphabetically', () => {
    expect(sortSplits(['test', 'zeta', 'train', 'val', 'alpha'])).toEqual(['train', 'val', 'test', 'alpha', 'zeta']);
  });

  it('a missing split column is a one-line usage error', async () => {
    await expect(run('equal', { splitColumn: 'nope' })).rejects.toMatchObject({ code: 'E_COLUMN_UNKNOWN' });
  });
});
