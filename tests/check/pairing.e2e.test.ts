import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envFormatFromName as envByName } from '../../src/sources/env/detect.js';
import { envFormatFromText, envNameEvidence, isEnvName, tableStageFromColumns, tableStagesFromName } from '../../src/sources/artifacts.js';
import { assertValidReport } from '../helpers/schema.js';
import { ROOT, runCli, runJson } from '../helpers/cli.js';

const SAMPLES = join(ROOT, 'samples');
const work = mkdtempSync(join(tmpdir(), 'reprodiff-pairing-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const byCause = (json: any, cause: string) => json.findings.filter((f: any) => f.cause === cause);

/** Copies sample artifacts into a folder under project-style names: `{ 'raw.parquet': 'customers_raw_2024.parquet' }`. */
function folder(name: string, side: 'research' | 'production', files: Record<string, string>, source: 'research' | 'production' = side): string {
  const dir = join(work, name, side);
  mkdirSync(dir, { recursive: true });
  for (const [from, to] of Object.entries(files)) copyFileSync(join(SAMPLES, source, from), join(dir, to));
  return dir;
}

describe('the artifact rules (one table for check and env)', () => {
  it('finds stage words anywhere in a name, the most downstream first', () => {
    expect(tableStagesFromName('churn_customers_raw.csv')).toEqual(['data']);
    expect(tableStagesFromName('gbm_inputFeatures_v3.parquet')).toEqual(['features', 'data']);
    expect(tableStagesFromName('cv_split_2024.csv')).toEqual(['splits']);
    expect(tableStagesFromName('holdout_predictions.parquet')).toEqual(['predictions']);
    expect(tableStagesFromName('customers.csv')).toEqual([]);
  });

  it('environment files by name anywhere (and the same names env uses) or by content', () => {
    expect(isEnvName('prod-requirements.txt')).toBe(true);
    expect(isEnvName('pip_freeze_2024-06.txt')).toBe(true);
    expect(isEnvName('research.env.json')).toBe(true);
    expect(isEnvName('environment-gpu.yaml')).toBe(true);
    expect(envByName('environment-gpu.yaml')).toBe('conda-environment');
    expect(isEnvName('customers.csv')).toBe(false);
    // A weak word needs the content to agree: `env_sensor_readings.json` may well be data.
    expect(envNameEvidence('env_sensor_readings.json')).toBe('maybe');
    expect(envNameEvidence('requirements-dev.txt')).toBe('sure');
    expect(envFormatFromText('# exported on the cluster\nnumpy==1.26.4\nscikit-learn==1.4.2\npandas>=2.1,<3\n')).toBe('requirements');
    expect(envFormatFromText('customer_id,score\n1,0.5\n')).toBeUndefined();
    expect(envFormatFromText('Notes about the model.\nIt was trained on Tuesday.\n')).toBeUndefined();
  });

  it('tables by their columns: a split column, a prediction column', () => {
    expect(tableStageFromColumns(['customer_id', 'Fold'])).toBe('splits');
    expect(tableStageFromColumns(['customer_id', 'predicted_proba', 'y'])).toBe('predictions');
    expect(tableStageFromColumns(['customer_id', 'age', 'income'])).toBeUndefined();
  });
});

describe('check over folders: project-style names', () => {
  const names = (side: 'research' | 'production') => ({
    [side === 'research' ? 'raw.parquet' : 'raw.csv']: side === 'research' ? 'churn_customers_raw.parquet' : 'churn_customers_raw.csv',
    [side === 'research' ? 'features.parquet' : 'features.csv']: side === 'research' ? 'gbm_input_features.parquet' : 'gbm_input_features.csv',
    'splits.csv': 'cv_split_assignment.csv',
    'predictions.csv': 'holdout_preds.csv',
    'requirements.txt': 'pinned_versions.txt',
  });

  it('pairs every stage (the pip freeze by content) and finds the raw break: exit 1, data first', async () => {
    const a = folder('names', 'research', names('research'));
    const b = folder('names', 'production', names('production'));
    const r = await runJson(['check', a, b]);
    assertValidReport(r.json);
    expect(r.code).toBe(1);
    expect(r.json.firstBrokenStage).toBe('data');
    expect(r.json.stages.map((s: any) => s.status)).not.toContain('skipped');
    expect(byCause(r.json, 'rows_missing').find((f: any) => f.stage === 'data')).toMatchObject({ rowsAffected: 13 });
    expect(r.stderr).toMatch(/env: .*pinned_versions\.txt \(by content\)/);
    expect(byCause(r.json, 'not_compared')).toEqual([]);
  });

  it('the same artifacts under unconventional names on both sides: equal, exit 0 (no false alarm)', async () => {
    const same = (side: 'research' | 'production') => {
      const dir = join(work, 'unnamed', side);
      mkdirSync(dir, { recursive: true });
      // No stage word in any name: the split and score columns, the pip text and the shared columns decide.
      copyFileSync(join(SAMPLES, 'research', 'raw.parquet'), join(dir, 'customers.parquet'));
      copyFileSync(join(SAMPLES, 'research', 'splits.csv'), join(dir, 'cohort.csv'));
      copyFileSync(join(SAMPLES, 'research', 'predictions.csv'), join(dir, 'model_out.csv'));
      copyFileSync(join(SAMPLES, 'research', 'requirements.txt'), join(dir, 'versions.txt'));
      // A weak environment word in a data file's name: its content says table.
      writeFileSync(
        join(dir, 'env_sensor_readings.json'),
        JSON.stringify([
          { sensor: 'a', temp: 20.5 },
          { sensor: 'b', temp: 21 },
        ]),
      );
      return dir;
    };
    const r = await runJson(['check', same('research'), same('production')]);
    assertValidReport(r.json);
    expect(r.json.stages.map((s: any) => [s.stage, s.status])).toEqual([
      ['data', 'equal'],
      ['features', 'equal'],
      ['splits', 'equal'],
      ['predictions', 'equal'],
      ['env', 'equal'],
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/features: .*env_sensor_readings\.json \(by the same columns on both sides\)/);
    expect(r.stderr).toMatch(/splits: .*cohort\.csv \(by columns\)/);
    expect(r.stderr).toMatch(/data: .*customers\.parquet \(by the same columns on both sides\)/);
  });
});

describe('check over folders: what is not compared is never a silent "equal"', () => {
  it('a stage with an artifact on one side only: artifact_unpaired warning, exit 1', async () => {
    const a = folder('unpaired', 'research', { 'raw.parquet': 'raw.parquet', 'predictions.csv': 'scores.csv' });
    const b = folder('unpaired', 'production', { 'raw.parquet': 'raw.parquet' }, 'research');
    const r = await runJson(['check', a, b]);
    assertValidReport(r.json);
    const [f] = byCause(r.json, 'artifact_unpaired');
    expect(f).toMatchObject({ stage: 'predictions', severity: 'warning' });
    expect(f.evidence.missing).toBe('production');
    expect(r.json.stages.find((s: any) => s.stage === 'predictions').status).toBe('different');
    expect(r.json.stages.find((s: any) => s.stage === 'data').status).toBe('equal');
    expect(r.code).toBe(1);
    // With --fail-on error the warning is reported but does not break: the stage stays skipped.
    const lenient = await runJson(['check', a, b, '--fail-on', 'error']);
    expect(lenient.code).toBe(0);
    expect(lenient.json.stages.find((s: any) => s.stage === 'predictions').status).toBe('skipped');
  });

  it('--require-stages (and requireStages in the config) makes a missing stage an error', async () => {
    const a = folder('required', 'research', { 'raw.parquet': 'raw.parquet' }, 'research');
    const b = folder('required', 'production', { 'raw.parquet': 'raw.parquet' }, 'research');
    const plain = await runJson(['check', a, b]);
    expect(plain.code).toBe(0);
    const r = await runJson(['check', a, b, '--require-stages', 'data,features', '--fail-on', 'error']);
    assertValidReport(r.json);
    expect(r.code).toBe(1);
    expect(byCause(r.json, 'stage_required')).toMatchObject([{ stage: 'features', severity: 'error' }]);
    const cfg = join(work, 'required', 'reprodiff.yml');
    writeFileSync(cfg, 'requireStages: [data, env]\nresearch:\n  data: research/raw.parquet\nproduction:\n  data: production/raw.parquet\n');
    const c = await runJson(['check', cfg]);
    expect(c.code).toBe(1);
    expect(byCause(c.json, 'stage_required')).toMatchObject([{ stage: 'env', severity: 'error' }]);
    const bad = await runCli(['check', a, b, '--require-stages', 'data,model']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/E_USAGE: --require-stages: unknown stage 'model'/);
  });

  it('a table no rule recognises is not_compared (warning); a file reprodiff cannot read is info', async () => {
    const a = folder('unknown', 'research', { 'raw.parquet': 'raw.parquet' }, 'research');
    const b = folder('unknown', 'production', { 'raw.parquet': 'raw.parquet' }, 'research');
    // Only on the research side: no twin to pair with, no stage word, no telling column.
    copyFileSync(join(SAMPLES, 'research', 'features.parquet'), join(a, 'customer_table_v2.parquet'));
    writeFileSync(join(a, 'NOTES.md'), '# notes\n');
    const r = await runJson(['check', a, b]);
    assertValidReport(r.json);
    const nc = byCause(r.json, 'not_compared');
    expect(nc.map((f: any) => [f.severity, f.evidence.file.replace(/.*\//, '')])).toEqual([
      ['warning', 'customer_table_v2.parquet'],
      ['info', 'NOTES.md'],
    ]);
    expect(r.code).toBe(1);
  });

  it('another file for a stage is not_compared: info for the same artifact in another format, warning otherwise', async () => {
    const a = folder('leftout', 'research', { 'raw.parquet': 'raw.parquet' }, 'research');
    const b = folder('leftout', 'production', { 'raw.parquet': 'raw.parquet' }, 'research');
    copyFileSync(join(SAMPLES, 'production', 'raw.csv'), join(a, 'raw.csv'));
    const copy = await runJson(['check', a, b]);
    expect(byCause(copy.json, 'not_compared')).toMatchObject([{ stage: 'data', severity: 'info' }]);
    expect(copy.code).toBe(0);
    copyFileSync(join(SAMPLES, 'production', 'raw.csv'), join(a, 'raw_backfill.csv'));
    const other = await runJson(['check', a, b]);
    expect(byCause(other.json, 'not_compared').map((f: any) => f.severity)).toEqual(['warning', 'info']);
    expect(other.code).toBe(1);
  });
});
