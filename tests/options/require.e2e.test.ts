import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, runJson } from '../helpers/cli.js';
import { assertValidError, assertValidReport } from '../helpers/schema.js';

/**
 * --require METRIC>=VALUE (#20, the model's regression gate). The fixtures (tests/fixtures/options/require/generate.py)
 * are a scikit-learn LogisticRegression scored on the same held-out ids in both environments, the same model
 * retrained in production without its strongest feature, and a Ridge regression fed a feature in other units in
 * production. Expected metric values come from scikit-learn (reference.json), never from reprodiff's own output.
 */
const DIR = 'tests/fixtures/options/require';
const F = (name: string) => `${DIR}/${name}`;
const REF = JSON.parse(readFileSync(join(ROOT, DIR, 'reference.json'), 'utf8')) as Record<string, Record<string, number>>;
const research = REF['research.csv']!;
const degraded = REF['production-degraded.csv']!;
const regResearch = REF['regression-research.csv']!;
const regProduction = REF['regression-production.csv']!;

const requirementFindings = (json: any) => json.findings.filter((f: any) => f.cause === 'performance_requirement');
const predictionsStage = (json: any) => json.stages.find((s: any) => s.stage === 'predictions');
const requirementOf = (json: any, metric: string) => predictionsStage(json).summary.requirements.find((r: any) => r.metric === metric);
/** sklearn agreement, as the rest of the suite asks of metrics: 1e-9 relative. */
const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.abs(expected));

function tempConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'reprodiff-require-'));
  const file = join(dir, 'reprodiff.yml');
  writeFileSync(file, text);
  return file;
}

describe('predictions --require', () => {
  it('met on both sides of equal predictions: exit 0, every requirement listed as met with sklearn values', async () => {
    const r = await runJson(['predictions', F('research.csv'), F('production.csv'), '--key', 'id', '--require', 'auc>=0.8', '--require', 'recall>=0.7', '--require', 'f1>=0.7']);
    assertValidReport(r.json);
    expect(r.code).toBe(0);
    expect(r.json.verdict).toBe('equal');
    expect(requirementFindings(r.json)).toEqual([]);
    for (const [metric, key] of [
      ['auc', 'auc'],
      ['recall', 'recall'],
      ['f1', 'f1'],
    ] as const) {
      const req = requirementOf(r.json, metric);
      expect(req).toMatchObject({ met: true, failed: [], missing: [] });
      close(req.research, research[key]!);
      close(req.production, research[key]!);
    }
    expect(predictionsStage(r.json).reason).toMatch(/requirements met in both environments: auc>=0.8, recall>=0.7, f1>=0.7/);
  });

  it('production below the requirement: exit 1, a performance_requirement error with both values', async () => {
    const r = await runJson(['predictions', F('research.csv'), F('production-degraded.csv'), '--key', 'id', '--require', 'auc>=0.8', '--require', 'recall>=0.6']);
    assertValidReport(r.json);
    expect(r.code).toBe(1);
    const found = requirementFindings(r.json);
    expect(found).toHaveLength(1);
    const f = found[0];
    expect(f).toMatchObject({ stage: 'predictions', severity: 'error', columns: ['y', 'proba'], rowsAffected: null, propagatedFrom: null });
    expect(f.evidence).toMatchObject({ metric: 'auc', requirement: 'auc>=0.8', operator: '>=', threshold: 0.8, failed: ['production'], missing: [] });
    close(f.evidence.research, research.auc!);
    close(f.evidence.production, degraded.auc!);
    expect(f.message).toMatch(/ROC AUC 0\.74385 in production is below the required ≥ 0\.8 \(research 0\.82125\)/);
    // The requirement production meets is still listed as checked.
    expect(requirementOf(r.json, 'recall')).toMatchObject({ met: true });
    close(requirementOf(r.json, 'recall').production, degraded.recall!);
  });

  it('research below it too: both sides named as failed', async () => {
    const r = await runJson(['predictions', F('research.csv'), F('production-degraded.csv'), '--key', 'id', '--require', 'auc>=0.85']);
    expect(r.code).toBe(1);
    const [f] = requirementFindings(r.json);
    expect(f.evidence.failed).toEqual(['research', 'production']);
    close(f.evidence.research, research.auc!);
    close(f.evidence.production, degraded.auc!);
    expect(f.message).toMatch(/below the required ≥ 0\.85 in both environments/);
  });

  it('fails even when the sides are equal: a requirement is about each environment, not their difference', async () => {
    const r = await runJson(['predictions', F('research.csv'), F('production.csv'), '--key', 'id', '--require', 'accuracy>=0.8']);
    expect(r.code).toBe(1);
    const [f] = requirementFindings(r.json);
    expect(f.evidence.failed).toEqual(['research', 'production']);
    close(f.evidence.research, research.accuracy!);
    expect(r.json.findings.filter((x: any) => x.cause !== 'performance_requirement' && x.severity !== 'info')).toEqual([]);
  });

  it('lower-is-better metrics (rmse, mae) take a maximum', async () => {
    const ok = await runJson(['predictions', F('regression-research.csv'), F('regression-production.csv'), '--key', 'id', '--require', 'rmse<=10', '--require', 'mae<=5']);
    assertValidReport(ok.json);
    expect(ok.code).toBe(1);
    const rmse = requirementFindings(ok.json).find((f: any) => f.evidence.metric === 'rmse');
    const mae = requirementFindings(ok.json).find((f: any) => f.evidence.metric === 'mae');
    expect(rmse.evidence).toMatchObject({ operator: '<=', threshold: 10, failed: ['production'] });
    close(rmse.evidence.research, regResearch.rmse!);
    close(rmse.evidence.production, regProduction.rmse!);
    expect(rmse.message).toMatch(/RMSE 49\.2857 in production is above the required ≤ 10 \(research 8\.45715\)/);
    expect(mae.evidence.failed).toEqual(['research', 'production']);
    close(mae.evidence.research, regResearch.mae!);
    close(mae.evidence.production, regProduction.mae!);
    const met = await runJson(['predictions', F('regression-research.csv'), F('regression-research.csv'), '--key', 'id', '--require', 'rmse<=10', '--require', 'mae<=7']);
    expect(met.code).toBe(0);
    expect(requirementOf(met.json, 'rmse')).toMatchObject({ met: true });
  });

  it('a metric the task does not compute (auc of a regression) fails: it cannot be checked', async () => {
    const r = await runJson(['predictions', F('regression-research.csv'), F('regression-research.csv'), '--key', 'id', '--require', 'auc>=0.5']);
    expect(r.code).toBe(1);
    const [f] = requirementFindings(r.json);
    expect(f.evidence).toMatchObject({ metric: 'auc', research: null, production: null, failed: [], missing: ['research', 'production'] });
    expect(f.message).toMatch(/cannot be checked: ROC AUC is not computed for a regression task/);
  });

  it.each([
    ['logloss<=0.3', /unknown metric 'logloss'/],
    ['brier<=0.2', /unknown metric 'brier'/],
    ['speed>=1', /unknown metric 'speed'/],
    ['auc>0.8', /'>' is not an operator/],
    ['auc=0.8', /'=' is not an operator/],
    ['auc<=0.9', /auc is higher-is-better/],
    ['rmse>=2', /rmse is lower-is-better/],
    ['auc', /not a requirement \(quote it, e\.g\. --require 'auc>=0\.85': unquoted, a shell reads > and < as redirections\)/],
    ['auc>=', /not a requirement/],
    ['auc>=nan', /'nan' is not a finite number/],
    ['auc>=Infinity', /'Infinity' is not a finite number/],
    ['rmse<=1e999', /'1e999' is not a finite number/],
    ['auc>=0.8x', /not a finite number/],
    ['auc>=1.5', /auc lies between 0 and 1/],
    ['mae<=-1', /mae is never negative/],
  ])('--require %s: exit 2, one line E_USAGE naming the accepted metrics', async (expr, why) => {
    const r = await runCli(['predictions', F('research.csv'), F('production.csv'), '--key', 'id', '--require', expr]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^reprodiff: E_USAGE: --require /);
    expect(lines[0]).toMatch(why);
    if (/unknown|finite/.test(String(why)) || expr === 'auc>=') expect(lines[0]).toMatch(/accuracy, precision, recall, f1, auc .*rmse, mae/);
    const j = await runJson(['predictions', F('research.csv'), F('production.csv'), '--key', 'id', '--require', expr]);
    expect(j.code).toBe(2);
    assertValidError(j.json);
    expect(j.json.error.code).toBe('E_USAGE');
  });

  it('a metric required twice is refused (which one would hold?)', async () => {
    const r = await runCli(['predictions', F('regression-research.csv'), F('regression-production.csv'), '--key', 'id', '--require', 'mae<=5', '--require', 'mae<=60']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_USAGE: --require 'mae<=60': mae is required twice/);
  });

  it('no truth column: the requirement cannot be checked, an error finding (exit 1), never a silent pass', async () => {
    for (const fail of [[], ['--fail-on', 'error']]) {
      const r = await runJson(['predictions', F('research-notruth.csv'), F('production-notruth.csv'), '--key', 'id', '--require', 'auc>=0.8', ...fail]);
      assertValidReport(r.json);
      expect(r.code).toBe(1);
      const [f] = requirementFindings(r.json);
      expect(f).toMatchObject({ severity: 'error', columns: ['proba'] });
      expect(f.evidence).toMatchObject({ metric: 'auc', research: null, production: null, missing: ['research', 'production'] });
      expect(f.evidence.reason).toMatch(/no ground-truth column/);
      expect(f.message).toMatch(/requirement ROC AUC ≥ 0\.8 cannot be checked: no ground-truth column .*--truth-col/);
    }
    // Without --require the same files are equal: the failure is the requirement's.
    expect((await runJson(['predictions', F('research-notruth.csv'), F('production-notruth.csv'), '--key', 'id'])).code).toBe(0);
  });

  it('without a key (distributions compared) requirements are still checked per environment', async () => {
    const r = await runJson(['predictions', F('research.csv'), F('production-degraded.csv'), '--require', 'auc>=0.8']);
    expect(r.code).toBe(1);
    const [f] = requirementFindings(r.json);
    expect(f.evidence.failed).toEqual(['production']);
    close(f.evidence.production, degraded.auc!);
  });

  it('--help shows the flag with an example', async () => {
    const r = await runCli(['predictions', '--help']);
    expect(r.stdout).toMatch(/--require=<value>/);
    expect(r.stdout).toMatch(/--require 'auc>=0\.85'/);
  });
});

describe('check and --require', () => {
  it('stages.predictions.require in reprodiff.yml: production below → exit 1; the met one listed', async () => {
    const r = await runJson(['check', F('reprodiff.yml')]);
    assertValidReport(r.json);
    expect(r.code).toBe(1);
    expect(r.json.firstBrokenStage).toBe('predictions');
    const [f] = requirementFindings(r.json);
    expect(f.evidence).toMatchObject({ metric: 'auc', failed: ['production'] });
    close(f.evidence.research, research.auc!);
    close(f.evidence.production, degraded.auc!);
    expect(requirementOf(r.json, 'recall')).toMatchObject({ met: true });
  });

  it('met in both environments through the config: exit 0, and the terminal says they were checked', async () => {
    const r = await runJson(['check', F('reprodiff-equal.yml')]);
    assertValidReport(r.json);
    expect(r.code).toBe(0);
    expect(predictionsStage(r.json).summary.requirements.map((x: any) => [x.requirement, x.met])).toEqual([
      ['auc>=0.8', true],
      ['f1>=0.7', true],
    ]);
    const t = await runCli(['check', F('reprodiff-equal.yml')]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/requirements met in both environments: auc>=0\.8, f1>=0\.7/);
  });

  it('check --require adds to the config (and replaces its requirement on the same metric)', async () => {
    const r = await runJson(['check', F('reprodiff-equal.yml'), '--require', 'auc>=0.9', '--require', 'precision>=0.7']);
    assertValidReport(r.json);
    expect(r.code).toBe(1);
    const [f] = requirementFindings(r.json);
    expect(f.evidence).toMatchObject({ requirement: 'auc>=0.9', failed: ['research', 'production'] });
    expect(predictionsStage(r.json).summary.requirements.map((x: any) => [x.requirement, x.met])).toEqual([
      ['auc>=0.9', false],
      ['f1>=0.7', true],
      ['precision>=0.7', true],
    ]);
    close(requirementOf(r.json, 'precision').research, research.precision!);
  });

  it('check --require malformed: exit 2, one line', async () => {
    const bad = await runCli(['check', F('reprodiff-equal.yml'), '--require', 'logloss<=0.5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/E_USAGE: --require 'logloss<=0\.5': unknown metric .*auc/);
  });

  it('a bad requirement in reprodiff.yml is E_CONFIG naming the path and the accepted metrics', async () => {
    for (const [entry, why] of [
      ['logloss: "<=0.3"', /stages\.predictions\.require\.logloss.*unknown metric 'logloss'.*accuracy, precision/],
      ['auc: "<=0.9"', /stages\.predictions\.require\.auc.*higher-is-better/],
      ['auc: 0.85', /stages\.predictions\.require\.auc.*quoted string with its operator/],
      ['rmse: "<=.nan"', /not a finite number/],
      ['auc: ">=2"', /between 0 and 1/],
    ] as const) {
      const file = tempConfig(
        `research: { predictions: ${join(ROOT, F('research.csv'))} }\nproduction: { predictions: ${join(ROOT, F('production.csv'))} }\nkey: id\nstages:\n  predictions:\n    require: { ${entry} }\n`,
      );
      const r = await runCli(['check', file]);
      expect(r.code, entry).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), entry).toHaveLength(1);
      expect(r.stderr, entry).toMatch(/E_CONFIG/);
      expect(r.stderr, entry).toMatch(why);
    }
  });

  it('requirements without a truth column, or without a predictions stage, fail in check', async () => {
    const noTruth = tempConfig(
      `key: id\nresearch: { predictions: ${join(ROOT, F('research-notruth.csv'))} }\nproduction: { predictions: ${join(ROOT, F('production-notruth.csv'))} }\nstages: { predictions: { require: { auc: ">=0.8" } } }\n`,
    );
    const a = await runJson(['check', noTruth]);
    assertValidReport(a.json);
    expect(a.code).toBe(1);
    expect(requirementFindings(a.json)[0].evidence.reason).toMatch(/no ground-truth column/);
    const noStage = tempConfig(
      `key: id\nresearch: { data: ${join(ROOT, F('research.csv'))} }\nproduction: { data: ${join(ROOT, F('production.csv'))} }\nstages: { predictions: { require: { auc: ">=0.8" } } }\n`,
    );
    const b = await runJson(['check', noStage]);
    assertValidReport(b.json);
    expect(b.code).toBe(1);
    const [f] = requirementFindings(b.json);
    expect(f.message).toMatch(/cannot be checked: the predictions stage was not compared \(no artifact on either side\)/);
    expect(b.json.findings.filter((x: any) => x.stage === 'data' && x.severity !== 'info')).toEqual([]);
  });

  it('research failing its requirement is a root, not a consequence of an upstream break', async () => {
    const file = tempConfig(
      `key: id\nresearch: { data: ${join(ROOT, F('research.csv'))}, predictions: ${join(ROOT, F('research.csv'))} }\n` +
        `production: { data: ${join(ROOT, F('production-degraded.csv'))}, predictions: ${join(ROOT, F('production-degraded.csv'))} }\n` +
        `stages: { predictions: { truthColumn: y, require: { auc: ">=0.85", recall: ">=0.7" } } }\n`,
    );
    const r = await runJson(['check', file]);
    assertValidReport(r.json);
    expect(r.code).toBe(1);
    const both = requirementFindings(r.json).find((f: any) => f.evidence.metric === 'auc');
    expect(both.evidence.failed).toEqual(['research', 'production']);
    expect(both.propagatedFrom).toBeNull();
  });
});
