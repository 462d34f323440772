/**
 * Drift the stage registry found between the predictions command and `check` (tests/stages/registry.test.ts),
 * each fixed: `--metric-tol` had no reprodiff.yml key, and `stages.predictions.tolerance.columns` passed the
 * schema while `check` ignored it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { runJson } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'reprodiff-registry-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(() => {
  // 100 ids, labels equal to the truth in research; production flips 3 of them: accuracy drops by 0.03.
  const rows = (flip: boolean) => ['id,label,y', ...Array.from({ length: 100 }, (_, i) => `${i},${flip && i < 3 ? 1 - (i % 2) : i % 2},${i % 2}`)].join('\n');
  writeFileSync(join(work, 'research.csv'), `${rows(false)}\n`);
  writeFileSync(join(work, 'production.csv'), `${rows(true)}\n`);
});

const yml = (stage: string) => {
  const file = join(work, `reprodiff-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, `key: id\nresearch: { predictions: research.csv }\nproduction: { predictions: production.csv }\nstages:\n  predictions: ${stage}\n`);
  return file;
};
const causes = (json: any) =>
  json.findings
    .filter((f: any) => f.stage === 'predictions')
    .map((f: any) => f.cause)
    .sort();

describe('predictions options that check now takes as the command does', () => {
  it('stages.predictions.metricTolerance is --metric-tol', async () => {
    const args = ['predictions', join(work, 'research.csv'), join(work, 'production.csv'), '--key', 'id', '--label-col', 'label', '--truth-col', 'y'];
    const strict = await runJson(args);
    const loose = await runJson([...args, '--metric-tol', '0.05']);
    expect(causes(strict.json)).toContain('performance_drop');
    expect(causes(loose.json)).not.toContain('performance_drop');
    const checked = await runJson(['check', yml('{ labelColumn: label, truthColumn: y, metricTolerance: 0.05 }')]);
    expect(causes(checked.json)).toEqual(causes(loose.json));
    const unset = await runJson(['check', yml('{ labelColumn: label, truthColumn: y }')]);
    expect(causes(unset.json)).toEqual(causes(strict.json));
  });

  it('stages.predictions.tolerance.columns, which check ignored, is refused in one line naming the path', () => {
    const file = yml('{ tolerance: { columns: { score: { abs: 0.01 } } } }');
    expect(() => loadConfig(file)).toThrow(/stages\.predictions\.tolerance/);
    expect(loadConfig(yml('{ tolerance: { abs: 0.01 } }')).config.stages?.predictions?.tolerance).toEqual({ abs: 0.01 });
  });
});
