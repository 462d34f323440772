/** --write-config saves what was inferred, so the saved config reproduces the run. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, runJson } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'reprodiff-writeconfig-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('records the key and the inferred split and score columns; the saved config gives the same findings', async () => {
  const file = join(work, 'reprodiff.yml');
  const first = await runJson(['check', join(ROOT, 'samples/research'), join(ROOT, 'samples/production'), '--write-config', file]);
  const saved = parse(readFileSync(file, 'utf8'));
  expect(saved.key).toBe('customer_id');
  expect(saved.stages.splits.splitColumn).toBe('split');
  expect(saved.stages.predictions.scoreColumn).toBe('score');
  const again = await runJson(['check', file]);
  expect(again.json.findings).toEqual(first.json.findings);
});
