import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ReprodiffError } from '../../src/errors.js';
import { openDataset } from '../../src/sources/register.js';
import { resolveInput } from '../../src/sources/resolve.js';
import { isSnapshotRef, makeSnapshot, parseSnapshotRef, readSnapshot, runSnapshotComparison, selectArtifact, serializeSnapshot } from '../../src/snapshot/index.js';
import { duck, snapshotOf, tempDir } from './helpers.js';

const dir = tempDir();
const path = (f: string) => join(dir, f);
const fixtures = new URL('../fixtures/snapshot/', import.meta.url).pathname;

/** 200,000 rows × 20 columns: 8 continuous doubles, 4 integers (2 low-cardinality), 4 strings, 2 booleans, a date, a timestamp. */
const WIDE = `SELECT
  ${Array.from({ length: 8 }, (_v, i) => `(hash(range * ${i + 3}) % 1000003) / 7.0 AS d${i}`).join(',\n  ')},
  range AS i0, hash(range) % 100000 AS i1, CAST(range % 7 AS INTEGER) AS i2, CAST(range % 3 AS TINYINT) AS i3,
  'id-' || range AS s0, 'cat' || (hash(range) % 50) AS s1, 'grp' || (range % 4) AS s2, CASE WHEN range % 11 = 0 THEN NULL ELSE 'v' || (range % 300) END AS s3,
  range % 2 = 0 AS b0, hash(range) % 5 = 0 AS b1,
  DATE '2020-01-01' + CAST(range % 1500 AS INTEGER) AS dt, TIMESTAMP '2023-01-01' + INTERVAL (range) SECOND AS ts
FROM range(200000)`;

beforeAll(async () => {
  await duck(`COPY (${WIDE}) TO '${path('wide.parquet')}' (FORMAT parquet)`, `COPY (SELECT range AS id, range % 3 AS g FROM range(50)) TO '${path('small.csv')}' (FORMAT csv, HEADER)`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('snapshot file', () => {
  it('200k rows × 20 columns is well under 1 MB', async () => {
    const t = Date.now();
    const { text, artifact } = await snapshotOf(path('wide.parquet'), 'wide');
    const bytes = Buffer.byteLength(text);
    console.log(`snapshot of 200,000 × 20: ${bytes} bytes in ${Date.now() - t} ms`);
    expect(artifact.columns).toHaveLength(20);
    expect(artifact.rows).toBe(200_000);
    expect(bytes).toBeLessThan(1_000_000);
    // Integers with few values are stored exactly; continuous ones as a sketch; ids are not listed as categories.
    expect(artifact.distributions.i2!.numeric!.values).toHaveLength(7);
    expect(artifact.distributions.d0!.numeric!.values).toBeUndefined();
    expect(artifact.distributions.d0!.numeric!.quantiles).toHaveLength(1001);
    expect(artifact.distributions.s0!.categorical!.values).toHaveLength(1000);
    expect(artifact.distributions.s0!.categorical!.otherCount).toBe(199_000);
    expect(artifact.profiles.s1!.top).toHaveLength(10);
  });

  it('is byte-identical across runs (and thread counts)', async () => {
    const a = await snapshotOf(path('wide.parquet'), 'wide');
    const engine = await Engine.open({ readableFiles: [path('wide.parquet')], threads: 1 });
    try {
      const d = await openDataset(engine, resolveInput(path('wide.parquet')), 'wide');
      const b = serializeSnapshot(await makeSnapshot(engine, [{ name: 'wide', dataset: d }]));
      expect(b).toBe(a.text);
    } finally {
      engine.close();
    }
  });

  it('matches the committed golden snapshot of a small CSV', async () => {
    // A relative path, as a user types it: the snapshot keeps labels as given, so no machine path is baked in.
    const { text } = await snapshotOf('tests/fixtures/snapshot/small/small.csv', 'small', { key: ['id'] });
    const golden = readFileSync(join(fixtures, 'small/small.snapshot.json'), 'utf8').replace(/"version": "[^"]*"/, '"version": "x"');
    expect(text.replace(/"version": "[^"]*"/, '"version": "x"')).toBe(golden);
  });
});

describe('snapshot references and bad snapshots', () => {
  it('recognises snapshot references', () => {
    expect(isSnapshotRef('research.snapshot.json#raw')).toBe(true);
    expect(isSnapshotRef('research.snapshot.json')).toBe(true);
    expect(isSnapshotRef('x.json#raw')).toBe(true);
    expect(isSnapshotRef('data.json')).toBe(false);
    expect(isSnapshotRef('db.duckdb#t')).toBe(false);
    expect(parseSnapshotRef('a/b.snapshot.json#raw')).toEqual({ path: 'a/b.snapshot.json', artifact: 'raw' });
    expect(parseSnapshotRef('a/b.snapshot.json')).toEqual({ path: 'a/b.snapshot.json' });
  });

  const expectSnapshotError = (f: () => unknown, pattern: RegExp) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ReprodiffError);
      expect((e as ReprodiffError).exitCode).toBe(2);
      expect((e as ReprodiffError).oneLine()).toMatch(pattern);
      expect((e as ReprodiffError).oneLine()).not.toContain('\n');
      return (e as ReprodiffError).code;
    }
    throw new Error('no error thrown');
  };

  it('one-line E_SNAPSHOT errors: not JSON, not a snapshot, unknown version, malformed, missing artifact', async () => {
    const good = JSON.parse((await snapshotOf(path('small.csv'), 'small')).text);
    const write = (name: string, text: string) => {
      writeFileSync(path(name), text);
      return path(name);
    };
    expect(expectSnapshotError(() => readSnapshot(write('bad.snapshot.json', '{not json')), /not valid JSON/)).toBe('E_SNAPSHOT');
    expect(expectSnapshotError(() => readSnapshot(write('other.json', '{"a": 1}')), /not a reprodiff snapshot/)).toBe('E_SNAPSHOT');
    expect(expectSnapshotError(() => readSnapshot(write('v9.json', JSON.stringify({ ...good, snapshotVersion: '9' }))), /version "9"/)).toBe('E_SNAPSHOT');
    const broken = structuredClone(good);
    broken.artifacts.small.distributions.id.numeric.counts.pop();
    expect(expectSnapshotError(() => readSnapshot(write('broken.json', JSON.stringify(broken))), /numeric distribution of id is malformed/)).toBe('E_SNAPSHOT');
    const snap = readSnapshot(write('good.snapshot.json', JSON.stringify(good)));
    expect(expectSnapshotError(() => selectArtifact(snap, { path: 'good.snapshot.json', artifact: 'nope' }), /no artifact 'nope'.*artifacts: small/)).toBe('E_SNAPSHOT');
    expect(expectSnapshotError(() => readSnapshot(path('missing.snapshot.json')), /no such snapshot file/)).toBe('E_FILE_NOT_FOUND');
  });

  it('runSnapshotComparison builds a report; a snapshot on the production side is a usage error', async () => {
    const text = (await snapshotOf(path('small.csv'), 'small')).text;
    writeFileSync(path('small.snapshot.json'), text);
    const report = await runSnapshotComparison('data', `${path('small.snapshot.json')}#small`, path('small.csv'));
    expect(report.verdict).toBe('equal');
    expect(report.stages[0]!.summary).toMatchObject({ mode: 'snapshot' });
    const features = await runSnapshotComparison('features', path('small.snapshot.json'), path('small.csv'));
    expect(features.stages[0]!.stage).toBe('features');
    await expect(runSnapshotComparison('data', path('small.csv'), path('small.snapshot.json'))).rejects.toMatchObject({ code: 'E_USAGE' });
    expect(statSync(path('small.snapshot.json')).size).toBe(Buffer.byteLength(text));
  });
});
