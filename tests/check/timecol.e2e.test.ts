/** --time-col: the last populated time per feature in terminal and JSON; the time column itself is not drift-tested. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, runJson } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'reprodiff-timecol-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('--time-col', () => {
  // Production is the same readings a month later, and humidity stopped arriving after mid-July.
  const research = join(ROOT, 'tests/fixtures/pipelines/energy/research/raw.csv');
  const production = join(work, 'raw.csv');
  const [head, ...rows] = readFileSync(research, 'utf8').trim().split('\n');
  const cols = head!.split(',');
  const ts = cols.indexOf('ts');
  const hum = cols.indexOf('humidity');
  writeFileSync(
    production,
    `${head}\n${rows
      .map((r) => {
        const v = r.split(',');
        const t = new Date(`${v[ts]}Z`);
        t.setUTCDate(t.getUTCDate() + 30);
        v[ts] = t.toISOString().slice(0, 19).replace('T', ' ');
        if (v[ts]! > '2023-08-15') v[hum] = '';
        return v.join(',');
      })
      .join('\n')}\n`,
  );

  it('JSON: last populated per feature; no drift finding on the time column', async () => {
    const r = await runJson(['features', research, production, '--key', 'reading_id', '--time-col', 'ts']);
    expect(r.json.stages[0].summary.lastPopulated.humidity.production < r.json.stages[0].summary.lastPopulated.temp_c.production).toBe(true);
    expect(r.json.findings.filter((f: any) => f.cause === 'distribution_drift' && f.columns[0] === 'ts')).toEqual([]);
  });

  it('terminal: the features whose last populated time differs, research → production', async () => {
    const t = await runCli(['features', research, production, '--key', 'reading_id', '--time-col', 'ts']);
    expect(t.stdout).toMatch(/last time each feature was populated: \d+ of \d+ features differ/);
    expect(t.stdout).toMatch(/\n\s+humidity: 2023-08-\d\d \d\d:\d\d:\d\d → 2023-08-1[45] \d\d:\d\d:\d\d/);
  });
});
