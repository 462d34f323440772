import { describe, expect, it } from 'vitest';
import { stderrProgress } from '../../src/cli/progress.js';
import { Engine } from '../../src/engine/engine.js';
import type { QueryProgress } from '../../src/engine/engine.js';

/** A stand-in for a terminal's stderr: records what is written. */
function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  const stream = { isTTY, write: (chunk: string) => written.push(chunk) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe('progress on a terminal', () => {
  it('shows the step, then rows read of rows total, on one rewritten line, and clears it', () => {
    const { stream, written } = fakeStream(true);
    let t = 0;
    const progress = stderrProgress(stream, () => t);
    progress.step('profiling production.csv');
    t = 2500;
    progress.rows!(638_318, 1_825_357);
    progress.done();
    expect(written[0]).toBe('\r\u001b[2K… profiling production.csv (0.0s)');
    expect(written[1]).toBe('\r\u001b[2K… profiling production.csv: 34%, 638,318 of 1,825,357 rows read (2.5s)');
    expect(written[2]).toBe('\r\u001b[2K');
  });

  it('is silent when stderr is not a terminal (CI logs, pipes): no rows callback, nothing written', () => {
    const { stream, written } = fakeStream(false);
    const progress = stderrProgress(stream);
    progress.step('x');
    progress.done();
    expect(progress.rows).toBeUndefined();
    expect(written).toEqual([]);
  });

  it('a step name from data cannot move the cursor or inject escapes', () => {
    const { stream, written } = fakeStream(true);
    stderrProgress(stream, () => 0).step('col\u001b[31m\nname');
    expect(written[0]).not.toMatch(/\u001b\[31m|\n/);
  });
});

describe('DuckDB query progress', () => {
  it('reports rows read of rows total while a long query runs, and nothing once it is done', async () => {
    const seen: QueryProgress[] = [];
    const engine = await Engine.open({ threads: 1, onQueryProgress: (p) => seen.push(p) });
    try {
      // A table scan (range() reports no progress), long enough on one thread to pass DuckDB's one-second wait.
      await engine.run('CREATE TEMP TABLE t AS SELECT hash(range) AS h FROM range(10000000)');
      seen.length = 0;
      await engine.one('SELECT count(DISTINCT h) AS n, quantile_disc(h, 0.5) AS m FROM t');
      const after = seen.length;
      await new Promise((r) => setTimeout(r, 700));
      expect(seen.length).toBe(after);
    } finally {
      engine.close();
    }
    expect(seen.length).toBeGreaterThan(0);
    for (const p of seen) {
      expect(p.rowsDone).toBeGreaterThan(0);
      expect(p.rowsDone).toBeLessThanOrEqual(p.rowsTotal);
      expect(p.rowsTotal).toBeGreaterThanOrEqual(10_000_000);
    }
  });
});
