/**
 * Splits made by scikit-learn's own splitters (tests/fixtures/splits/make_sklearn_fixtures.py): groups
 * numbered by first appearance and read in another order, unseeded group splits, a composite key whose
 * prefix is the group, ids in two splits on both sides, and an append that did not deduplicate.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertValidReport } from '../helpers/schema.js';
import { ROOT, runJson } from '../helpers/cli.js';

const fixture = (c: string, f: string) => join(ROOT, 'tests/fixtures/splits', c, f);
const run = (c: string, ...args: string[]) => runJson(['splits', fixture(c, 'research.csv'), fixture(c, 'production.csv'), ...args]);
const causes = (json: any) =>
  json.findings
    .filter((f: any) => f.severity !== 'info')
    .map((f: any) => f.cause)
    .sort();

describe('splits from scikit-learn splitters', () => {
  it('identical sides with ids in two splits agree perfectly (Jaccard 1, nothing moved)', async () => {
    const r = await run('dup-identical', '--key', 'id');
    assertValidReport(r.json);
    const s = r.json.stages[0].summary;
    expect(Object.values(s.agreement).map((a: any) => [a.jaccard, a.onlyResearch, a.onlyProduction])).toEqual([
      [1, 0, 0],
      [1, 0, 0],
    ]);
    expect(s.ids).toMatchObject({ moved: 0, onlyResearch: 0, onlyProduction: 0 });
    expect(s.transitions.counts).toEqual([
      [240, 0],
      [0, 66],
    ]);
    expect(causes(r.json)).not.toContain('split_membership');
    // The same conflict on both sides: info per side (nothing differs between them; the leakage is still reported).
    expect(r.json.findings.filter((f: any) => f.cause === 'split_conflict').map((f: any) => f.severity)).toEqual(['info', 'info']);
  });

  it('an append that did not deduplicate: split_conflict naming the split and label columns, exact rows', async () => {
    const r = await run('upsert-conflict', '--key', 'id');
    assertValidReport(r.json);
    expect(r.code).toBe(1);
    const [f] = r.json.findings.filter((x: any) => x.cause === 'split_conflict');
    // 8 ids appended again in another split, 5 with the other label: 13 ids, 26 rows.
    expect(f).toMatchObject({ severity: 'error', columns: ['split', 'y'], rowsAffected: 26, evidence: { side: 'production', keys: 13, byColumn: { split: 8, y: 5 } } });
    expect(f.sampleKeys).toHaveLength(5);
  });

  it('a seeded group split on groups numbered by first appearance, rows read in another order: split_order_dependent', async () => {
    const r = await run('group-order', '--key', 'patient_id,visit');
    assertValidReport(r.json);
    expect(r.code).toBe(1);
    const [f] = r.json.findings.filter((x: any) => x.cause === 'split_order_dependent');
    expect(f).toMatchObject({ columns: ['split', 'patient_id'], rowsAffected: r.json.stages[0].summary.ids.moved });
    expect(f.evidence).toMatchObject({ groupColumn: 'patient_id', groupsIntact: true, sameGroupCounts: true, orderedBy: 'first appearance of patient_id' });
    expect(causes(r.json)).not.toContain('split_membership');
  });

  it('the same group split unseeded (same read order): split_unseeded at group level, not order dependence', async () => {
    const r = await run('group-unseeded', '--key', 'patient_id,visit');
    assertValidReport(r.json);
    const [f] = r.json.findings.filter((x: any) => x.cause === 'split_unseeded');
    expect(f).toMatchObject({ columns: ['split', 'patient_id'], evidence: { groupsIntact: true, sameGroupCounts: true } });
    expect(causes(r.json)).toEqual(['split_unseeded']);
  });

  it.each([
    ['composite-group', 'patient_id,visit'],
    ['group-column', 'visit_id'],
  ])('%s: research grouped by patient, production not: group_split_broken without --group-col', async (c, key) => {
    const r = await run(c, '--key', key);
    assertValidReport(r.json);
    expect(r.code).toBe(1);
    const [f] = r.json.findings.filter((x: any) => x.cause === 'group_split_broken');
    expect(f).toMatchObject({ severity: 'error', columns: ['split', 'patient_id'], rowsAffected: r.json.stages[0].summary.ids.moved });
    expect(r.json.stages[0].summary.inferred.group).toBe('patient_id');
    expect(f.evidence.brokenGroups).toBeGreaterThan(10);
  });

  it('no group is inferred when research splits rows at random too: an unseeded split', async () => {
    const r = await run('composite-unseeded', '--key', 'patient_id,visit');
    expect(r.json.stages[0].summary.inferred.group).toBeUndefined();
    expect(causes(r.json)).toEqual(['split_unseeded']);
  });
});
