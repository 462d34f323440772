/**
 * --memory-limit is the process's budget: DuckDB's buffer pool gets 92% of it (at most 1 GiB less), because
 * memory outside the pool (Node, the Parquet reader, the allocator's free pages) counts in the RSS too. And the
 * keyed diff table, which can hold hundreds of MB, is dropped once read unless a later step (check) keeps it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ATTRIBUTION_OUTSIDE_POOL_SHARE, Engine, duckdbMemoryLimit } from '../../src/engine/engine.js';
import { compareDatasets } from '../../src/compare/data/index.js';
import { tableDataset } from '../helpers/tables.js';

describe('duckdbMemoryLimit', () => {
  it.each([
    ['3GB', 2_760_000_000],
    ['2.5GB', 2_300_000_000],
    ['500MB', 460_000_000],
    ['500 mb', 460_000_000],
    ['2GiB', 1_975_684_956],
    ['3g', 2_760_000_000],
    ['1000000000 bytes', 920_000_000],
    ['20GB', 20e9 - 2 ** 30],
    ['1TB', 1e12 - 2 ** 30],
  ])('%s → %d bytes of pool', (limit, pool) => {
    expect(duckdbMemoryLimit(limit)).toBe(`${pool}B`);
  });

  it('keeps a larger share outside the pool for the attribution runs (predictions with features, check)', () => {
    expect(duckdbMemoryLimit('3GB', ATTRIBUTION_OUTSIDE_POOL_SHARE)).toBe('2460000000B');
    expect(duckdbMemoryLimit('20GB', ATTRIBUTION_OUTSIDE_POOL_SHARE)).toBe(`${20e9 - 2 ** 30}B`);
  });

  it('refuses what is not a positive size (it would run without the limit asked for)', () => {
    for (const bad of ['80%', 'lots', '', '-5GB', '0', '5XB']) expect(() => duckdbMemoryLimit(bad), bad).toThrow(/--memory-limit must be a size/);
  });

  it("is what DuckDB's memory_limit reports", async () => {
    const engine = await Engine.open({ memoryLimit: '1GB' });
    try {
      const row = await engine.one(`SELECT current_setting('memory_limit') AS m`);
      // 920,000,000 bytes, which DuckDB prints in binary units.
      expect(row.m).toBe('877.3 MiB');
      // Freed memory goes back to the OS soon (what the RSS promise needs).
      const flush = await engine.one(`SELECT current_setting('allocator_flush_threshold') AS f, current_setting('allocator_bulk_deallocation_flush_threshold') AS b`);
      expect([flush.f, flush.b]).toEqual(['15.2 MiB', '30.5 MiB']);
    } finally {
      engine.close();
    }
  });
});

describe('the keyed diff table', () => {
  let engine: Engine;
  afterEach(() => engine?.close());

  const tables = async () => (await engine.all(`SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'rd_diff_%'`)).map((r) => r.table_name);

  it('is dropped once read, and kept when asked (check)', async () => {
    engine = await Engine.open();
    const research = await tableDataset(engine, 'a', `SELECT i AS id, i * 2 AS x FROM range(100) r(i)`);
    const production = await tableDataset(engine, 'b', `SELECT i AS id, CASE WHEN i = 7 THEN 0 ELSE i * 2 END AS x FROM range(1, 101) r(i)`);
    const dropped = await compareDatasets(engine, research, production, { key: ['id'] });
    expect(dropped.keyed?.diffTable).toBeNull();
    expect(dropped.keyed?.columns.map((c) => [c.column, c.differing])).toEqual([['x', 1]]);
    expect(await tables()).toEqual([]);
    const kept = await compareDatasets(engine, research, production, { key: ['id'], keepDiffTable: true });
    expect(kept.keyed?.diffTable).toMatch(/^rd_diff_/);
    expect(await tables()).toEqual([kept.keyed!.diffTable]);
    // The kept table still holds the unmatched and differing rows.
    expect((await engine.one(`SELECT count(*) AS n FROM "${kept.keyed!.diffTable}"`)).n).toBe(3n);
  });
});
