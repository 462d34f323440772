/** "Concentrated on a subset of rows" is never said of (nearly) all rows. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT, runJson } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'reprodiff-wording-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('every score moved one way: spread over most rows, not concentrated on a subset', async () => {
  const research = join(ROOT, 'tests/fixtures/pipelines/loans/research/predictions.csv');
  const [head, ...rows] = readFileSync(research, 'utf8').trim().split('\n');
  const production = join(work, 'predictions.csv');
  writeFileSync(
    production,
    `${head}\n${rows
      .map((r) => {
        const [id, score, label] = r.split(',');
        return [id, String(Math.min(1, Number(score) * 0.8 + 0.15)), label].join(',');
      })
      .join('\n')}\n`,
  );
  const r = await runJson(['predictions', research, production, '--key', 'loan_id', '--score-col', 'score', '--label-col', 'label']);
  const f = r.json.findings.find((x: any) => x.cause === 'prediction_mismatch' || x.cause === 'model_nondeterminism');
  expect(f.rowsAffected).toBeGreaterThan(400);
  expect(f.message).not.toMatch(/concentrated on a subset/);
  expect(f.message).toMatch(/spread over most rows, mostly in one direction/);
});
