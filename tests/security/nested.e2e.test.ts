/** Deeply nested values compare in time linear in their size (IS DISTINCT FROM on deep structs was exponential). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nestingDepth } from '../../src/compare/data/keyed.js';
import { runJson } from '../helpers/cli.js';
import { tempDir } from './helpers.js';

const dir = tempDir('nested');

function nest(depth: number, leaf: unknown): unknown {
  let v: unknown = { leaf, tags: ['a', 'b'] };
  for (let i = 0; i < depth; i++) v = { k: v, n: i };
  return v;
}

describe('deep structs', () => {
  it('a 25-level struct: one differing row found in seconds, an equal pair equal', async () => {
    const rows = (last: number) => [1, 2, 3].map((id) => ({ id, s: nest(25, id === 3 ? last : id) }));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(rows(3)));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(rows(4)));
    writeFileSync(join(dir, 'c.json'), JSON.stringify(rows(3).reverse()));
    const started = Date.now();
    const diff = await runJson(['data', 'a.json', 'b.json', '--key', 'id'], { cwd: dir, timeoutMs: 60_000 });
    expect(diff.code, diff.stderr).toBe(1);
    const changed = diff.json.findings.find((f: { cause: string }) => f.cause === 'value_changed');
    expect(changed.columns).toEqual(['s']);
    expect(changed.rowsAffected).toBe(1);
    const same = await runJson(['data', 'a.json', 'c.json', '--key', 'id'], { cwd: dir, timeoutMs: 60_000 });
    expect(same.code, same.stderr).toBe(0);
    // Exponential before: 20 levels took 16 s, 25 over 40 s.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('measures nesting from the DuckDB type (an upper bound)', () => {
    expect(nestingDepth('DECIMAL(18,3)')).toBe(0);
    expect(nestingDepth('STRUCT(a BIGINT, b DECIMAL(5,2))')).toBe(1);
    expect(nestingDepth('STRUCT(k STRUCT(k STRUCT(leaf BIGINT)))')).toBe(3);
    expect(nestingDepth('MAP(VARCHAR, STRUCT(a INTEGER))[]')).toBe(3);
  });
});
