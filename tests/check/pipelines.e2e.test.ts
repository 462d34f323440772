/**
 * Two real scikit-learn pipelines (tests/fixtures/pipelines/generate.py), run twice with one planted
 * break each: `check` must name the expected first broken stage and headline cause, and add no root
 * outside the stage where the break was planted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { headlineFinding } from '../../src/findings/headline.js';
import { ROOT, runJson } from '../helpers/cli.js';
import { assertValidReport } from '../helpers/schema.js';

const DIR = join(ROOT, 'tests/fixtures/pipelines');
interface Case {
  pipeline: string;
  case: string;
  config: string;
  break: string;
  expected: { firstBrokenStage: string | null; cause: string | null };
}
const manifest: Case[] = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8'));
const score = { stage: 0, cause: 0, noFalseRoot: 0, total: manifest.length };

afterAll(() => {
  console.log(`pipelines: first stage ${score.stage}/${score.total}, headline cause ${score.cause}/${score.total}, no false root ${score.noFalseRoot}/${score.total}`);
});

describe.each(manifest)('$pipeline/$case', (c) => {
  it(`${c.break}: ${c.expected.firstBrokenStage ?? 'equal'} — ${c.expected.cause ?? 'no finding'}`, async () => {
    const r = await runJson(['check', join(DIR, c.config)]);
    assertValidReport(r.json);
    const report = r.json;
    const head = headlineFinding(report);
    const roots = report.findings.filter((f: any) => f.severity !== 'info' && f.propagatedFrom === null);
    const falseRoots = roots.filter((f: any) => f.stage !== c.expected.firstBrokenStage).map((f: any) => `${f.stage}/${f.cause}`);
    if (report.firstBrokenStage === c.expected.firstBrokenStage) score.stage++;
    if ((head?.cause ?? null) === c.expected.cause) score.cause++;
    if (falseRoots.length === 0) score.noFalseRoot++;
    expect({ firstBrokenStage: report.firstBrokenStage, cause: head?.cause ?? null, falseRoots }).toEqual({ ...c.expected, falseRoots: [] });
    // Consequences point at a stage with a root of its own, never at another consequence.
    const rootStages = new Set(roots.map((f: any) => f.stage));
    const dangling = report.findings.filter((f: any) => f.propagatedFrom !== null && !rootStages.has(f.propagatedFrom)).map((f: any) => `${f.stage}/${f.cause} ← ${f.propagatedFrom}`);
    expect(dangling).toEqual([]);
    expect(r.code).toBe(c.expected.firstBrokenStage ? 1 : 0);
  });
});
