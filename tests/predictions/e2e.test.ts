import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertValidError, assertValidReport } from '../helpers/schema.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (c: string, f: string) => join(root, 'tests/fixtures/predictions', c, f);

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/run.js'), 'predictions', ...args, '--json'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status, json: JSON.parse(r.stdout) as Record<string, any> };
}
const pair = (c: string) => [fixture(c, 'research.csv'), fixture(c, 'production.csv')];
const features = (c: string) => ['--features-research', fixture(c, 'features-research.csv'), '--features-production', fixture(c, 'features-production.csv')];

describe('reprodiff predictions (end to end)', () => {
  it.each([
    ['equal', [], 0, null, null, null],
    ['noise', [], 1, 'numeric_noise', ['proba'], 400],
    ['subset-feature', features('subset-feature'), 1, 'prediction_mismatch', ['proba'], 40],
    ['nan-unseen', features('nan-unseen'), 1, 'prediction_nan', ['proba'], 12],
    ['nondeterminism', features('nondeterminism'), 1, 'model_nondeterminism', ['proba'], 400],
    ['label-flip', [], 1, 'label_flip', ['y_pred'], 40],
    ['missing', [], 1, 'prediction_missing', ['proba'], 7],
  ] as const)('%s exits %i with %s', (c, extra, code, cause, columns, rows) => {
    const r = cli([...pair(c), '--key', 'id', ...extra]);
    expect(r.code).toBe(code);
    assertValidReport(r.json);
    expect(r.json).toMatchObject({ command: 'predictions', verdict: code ? 'different' : 'equal', firstBrokenStage: code ? 'predictions' : null });
    if (cause) expect(r.json.findings.find((f: any) => f.cause === cause)).toMatchObject({ stage: 'predictions', columns, rowsAffected: rows, propagatedFrom: null });
  });

  it('--rel-tol 1e-6 accepts floating-point noise', () => {
    const r = cli([...pair('noise'), '--key', 'id', '--rel-tol', '1e-6']);
    expect(r.code).toBe(0);
  });

  it('without --key compares score distributions and says so', () => {
    const r = cli(pair('keyless'));
    expect(r.code).toBe(1);
    assertValidReport(r.json);
    expect(r.json.stages[0].summary.mode).toBe('distribution');
    expect(r.json.findings.map((f: any) => f.cause)).toContain('distribution_drift');
  });

  it('an unknown score column and a bad threshold exit 2 with one line', () => {
    const a = cli([...pair('equal'), '--key', 'id', '--score-col', 'nope']);
    expect(a.code).toBe(2);
    assertValidError(a.json);
    expect(a.json.error.code).toBe('E_COLUMN_UNKNOWN');
    const b = cli([...pair('equal'), '--key', 'id', '--threshold', 'x']);
    expect(b.code).toBe(2);
    assertValidError(b.json);
  });
});
