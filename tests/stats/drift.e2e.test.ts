import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runJson } from '../helpers/cli.js';
import { assertValidReport } from '../helpers/schema.js';
import { expectClose } from './reference.js';

const dir = 'tests/fixtures/drift';
const pair = [`${dir}/research.csv`, `${dir}/production.csv`, '--key', 'id'];
/** scipy's figures on the fixture's columns (tests/fixtures/drift/make_fixtures.py). */
const expected = JSON.parse(readFileSync(new URL('../fixtures/drift/expected.json', import.meta.url), 'utf8'));

const columns = (json: any) => json.stages[0].summary.columns;
const drifted = (json: any) =>
  json.findings
    .filter((f: any) => f.cause === 'distribution_drift' && f.columns.length === 1)
    .map((f: any) => f.columns[0])
    .sort();

describe('drift tests chosen through the CLI', () => {
  it('per column: Anderson–Darling, Fisher and the G-test, with scipy’s figures, and the verdict their thresholds give', async () => {
    const r = await runJson(['features', ...pair, '--test', 'amount=anderson', '--test', 'churned=fisher', '--test', 'plan=g_test']);
    assertValidReport(r.json);
    expect(r.code).toBe(1);
    const c = columns(r.json);
    expectClose(c.amount.tests.andersonDarling.statistic, expected.amount.andersonDarling.statistic, 'AD');
    expect(c.amount.tests.drift).toEqual({ test: 'anderson', value: expected.amount.andersonDarling.pvalue, threshold: 0.1, drifted: true });
    expectClose(c.churned.tests.fisher.pvalue, expected.churned.fisher.pvalue, 'Fisher p');
    expectClose(c.churned.tests.fisher.oddsRatio, expected.churned.fisher.oddsRatio, 'odds ratio');
    expect(c.churned.tests.drift).toMatchObject({ test: 'fisher', drifted: true });
    expectClose(c.plan.tests.gTest.pvalue, expected.plan.gTest.pvalue, 'G p');
    expect(c.plan.tests.drift).toMatchObject({ test: 'gtest', drifted: false });
    expect(drifted(r.json)).toEqual(['amount', 'churned']);
    const f = r.json.findings.find((x: any) => x.cause === 'distribution_drift' && x.columns[0] === 'amount' && x.columns.length === 1);
    expect(f.message).toBe('amount: Anderson–Darling p-value 0.001 < 0.1: distribution drifted');
    expect(f.evidence).toMatchObject({ test: 'anderson', value: 0.001, threshold: 0.1, researchCount: 800, productionCount: 900 });
  });

  it('--drift-test for every column: Mann–Whitney misses the scale change that Cramér–von Mises sees; columns it cannot test keep their default', async () => {
    const mw = await runJson(['features', ...pair, '--drift-test', 'Mann-Whitney']);
    const a = columns(mw.json).amount.tests;
    expectClose(a.mannWhitney.statistic, expected.amount.mannWhitney.statistic, 'U');
    expectClose(a.mannWhitney.pvalue, expected.amount.mannWhitney.pvalue, 'MWU p');
    expect(a.mannWhitney.method).toBe('asymptotic');
    expect(a.drift).toMatchObject({ test: 'mannwhitney', drifted: false });
    // churned is binary (categorical): Mann–Whitney does not apply, so its default (chi-square, ≤ 1000 rows) judges it.
    expect(columns(mw.json).churned.tests.drift).toMatchObject({ test: 'chisquare', drifted: true });
    expect(drifted(mw.json)).toEqual(['churned']);

    const cvm = await runJson(['features', ...pair, '--drift-test', 'cvm']);
    const b = columns(cvm.json).amount.tests;
    expectClose(b.cramerVonMises.statistic, expected.amount.cramerVonMises.statistic, 'CvM T');
    expectClose(b.cramerVonMises.pvalue, expected.amount.cramerVonMises.pvalue, 'CvM p', 1e-9, 1e-14);
    expect(b.drift).toMatchObject({ test: 'cramervonmises', drifted: true });
    expect(columns(cvm.json).tenure.tests.drift).toMatchObject({ test: 'cramervonmises', drifted: false });
  });

  it("--drift-threshold applies to every column without its own; Welch's t and energy distance = scipy", async () => {
    const r = await runJson(['features', ...pair, '--drift-test', 'ttest', '--drift-threshold', '1e-12', '--test', 'tenure=energy', '--threshold', 'tenure=5']);
    const c = columns(r.json);
    expectClose(c.amount.tests.welch.statistic, expected.amount.welch.statistic, 'Welch t');
    expectClose(c.amount.tests.welch.pvalue, expected.amount.welch.pvalue, 'Welch p');
    // p ≈ 1e-10 is not below 1e-12: not drifted under the stricter threshold.
    expect(c.amount.tests.drift).toMatchObject({ test: 'ttest', threshold: 1e-12, drifted: false });
    expect(c.tenure.tests.drift).toMatchObject({ test: 'energy', threshold: 5, drifted: false });
    const e = await runJson(['features', ...pair, '--drift-test', 'energy_distance']);
    expectClose(columns(e.json).amount.tests.energy, expected.amount.energy, 'energy');
  });

  it('reprodiff.yml: drift.test for every column, drift.tests and drift.thresholds per column (two-proportion z-test)', async () => {
    const r = await runJson(['check', `${dir}/reprodiff.yml`]);
    assertValidReport(r.json);
    const stage = r.json.stages.find((s: any) => s.stage === 'features');
    const c = stage.summary.columns;
    expect(c.amount.tests.drift).toMatchObject({ test: 'cramervonmises', drifted: true });
    expectClose(c.churned.tests.twoProportionZ.statistic, expected.churned.twoProportionZ.statistic, 'z');
    expectClose(c.churned.tests.twoProportionZ.pvalue, expected.churned.twoProportionZ.pvalue, 'z p');
    expect(c.churned.tests.drift).toMatchObject({ test: 'ztest', threshold: 0.01, drifted: true });
  });

  it('a snapshot as the research side gives the same rank-test figures (its exact values are stored)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'rd-drift-'));
    try {
      const snap = join(tmp, 'research.snapshot.json');
      const w = await runCli(['snapshot', `features=${dir}/research.csv`, '--key', 'id', '-o', snap]);
      expect(w.code).toBe(0);
      const r = await runJson(['features', `${snap}#features`, `${dir}/production.csv`, '--key', 'id', '--drift-test', 'anderson', '--test', 'tenure=mannwhitney']);
      assertValidReport(r.json);
      const c = columns(r.json);
      expectClose(c.amount.tests.andersonDarling.statistic, expected.amount.andersonDarling.statistic, 'AD from a snapshot');
      expect(c.amount.tests.drift).toMatchObject({ test: 'anderson', drifted: true });
      expect(c.tenure.tests.drift.test).toBe('mannwhitney');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('an unknown test or a bad threshold is a usage error (exit 2) naming the tests', async () => {
    const r = await runCli(['features', ...pair, '--drift-test', 'bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown drift test 'bogus'");
    expect(r.stderr).toContain('anderson');
    const t = await runCli(['features', ...pair, '--drift-threshold', 'high']);
    expect(t.code).toBe(2);
  });

  it('--help lists every selectable test', async () => {
    const r = await runCli(['features', '--help']);
    for (const name of [
      'ks',
      'wasserstein',
      'psi',
      'jensenshannon',
      'chisquare',
      'hellinger',
      'kl',
      'tvd',
      'anderson',
      'cramervonmises',
      'energy',
      'mannwhitney',
      'ttest',
      'ztest',
      'fisher',
      'gtest',
      'cramersv',
      'chisquaregof',
    ]) {
      expect(r.stdout).toContain(name);
    }
    expect(r.stdout).toContain('--drift-test');
  });
});

describe('PSI bins and floor as options', () => {
  it('--bin-strategy width: equal-width bins over both sides’ range; --psi-floor changes the empty bins’ fraction', async () => {
    const r = await runJson(['features', ...pair, '--bin-strategy', 'width']);
    assertValidReport(r.json);
    const h = columns(r.json).amount;
    expect(h.histogram).toBeDefined();
    expectClose(h.tests.psi, expected.bins.amountWidth.psi, 'PSI, width bins', 1e-9, 1e-15);
    const f = await runJson(['features', ...pair, '--bin-strategy', 'width', '--psi-floor', '0.001', '--drift-test', 'psi']);
    expectClose(columns(f.json).amount.tests.psi, expected.bins.amountWidth.psiFloor001, 'PSI, floor 1e-3', 1e-9, 1e-15);
    for (const [test, key] of [
      ['hellinger', 'hellinger'],
      ['kl_div', 'kl'],
      ['TVD', 'tvd'],
    ] as const) {
      const d = await runJson(['features', ...pair, '--bin-strategy', 'width', '--drift-test', test]);
      expectClose(columns(d.json).amount.tests[key], expected.bins.amountWidth[key], `${key} over the width bins`, 1e-9, 1e-15);
      expect(columns(d.json).amount.tests.drift.test).toBe(key);
    }
    // The default quantile bins give another figure (the option is not a no-op).
    const q = await runJson(['features', ...pair]);
    expect(Math.abs(columns(q.json).amount.tests.psi - expected.bins.amountWidth.psi)).toBeGreaterThan(1e-3);
  });

  it('--bin-strategy values: one bin per value for a column of at most 100 values; reprodiff.yml takes the same options', async () => {
    const r = await runJson(['features', ...pair, '--bin-strategy', 'values']);
    expectClose(columns(r.json).tenure.tests.psi, expected.bins.tenureValues.psi, 'PSI, one bin per value', 1e-9, 1e-15);
    expect(columns(r.json).amount.tests.psi).toBe(columns((await runJson(['features', ...pair])).json).amount.tests.psi);
    const bad = await runCli(['features', ...pair, '--psi-floor', '0']);
    expect(bad.code).toBe(2);
    const tmp = mkdtempSync(join(tmpdir(), 'rd-bins-'));
    try {
      const yml = join(tmp, 'reprodiff.yml');
      const abs = (f: string) => JSON.stringify(join(process.cwd(), dir, f));
      writeFileSync(
        yml,
        `version: 1\nkey: id\nresearch: { features: ${abs('research.csv')} }\nproduction: { features: ${abs('production.csv')} }\nstages:\n  features:\n    drift: { binStrategy: width, psiFloor: 0.001 }\n`,
      );
      const c = await runJson(['check', yml]);
      assertValidReport(c.json);
      const stage = c.json.stages.find((x: any) => x.stage === 'features');
      expectClose(stage.summary.columns.amount.tests.psi, expected.bins.amountWidth.psiFloor001, 'PSI from reprodiff.yml', 1e-9, 1e-15);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
