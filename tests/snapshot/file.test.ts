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
    // An identifier-like text column keeps its counts but no values: no test reads them (write.ts, categorical).
    expect(artifact.distributions.s0!.categorical!.values).toHaveLength(0);
    expect(artifact.distributions.s0!.categorical!.otherCount).toBe(artifact.profiles.s0!.count);
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

  it('a 50,000-row × 15-column table of mixed columns makes a snapshot under 150 KB (#22); 300 rows, under 75 KB', async () => {
    // Ids, e-mails and continuous doubles (sketches), low-cardinality integers and categories (exact), timestamps.
    const table = (rows: number) => `SELECT range AS id, 18 + hash(range) % 70 AS age, round(exp(10 + ((hash(range * 3) % 10000) / 5000.0 - 1)), 2) AS income,
      (hash(range * 5) % 1000003) / 1000003.0 - 0.5 AS score, (hash(range * 7) % 999983) / 999983.0 AS ratio, hash(range * 11) % 9 AS visits,
      ['paris','berlin','rome','madrid','lisbon','oslo','wien'][CAST(1 + hash(range * 13) % 7 AS INTEGER)] AS city, chr(65 + CAST(hash(range * 17) % 5 AS INTEGER)) AS segment,
      'user' || (hash(range * 19) % 1000000000) || '@example.com' AS email, hash(range * 23) % 2 = 0 AS flag,
      TIMESTAMP '2020-01-01' + INTERVAL (hash(range * 29) % 100000000) SECOND AS signup, CAST((hash(range * 31) % 100000) / 3000.0 AS FLOAT) AS temp,
      hash(range * 37) % 10000 AS clicks, hash(range * 41) % 2 AS label, CASE WHEN range % 3 = 0 THEN NULL ELSE 'note' || (range % 2) END AS note
      FROM range(${rows})`;
    await duck(`COPY (${table(50_000)}) TO '${path('t50k.csv')}' (FORMAT csv, HEADER)`, `COPY (${table(300)}) TO '${path('t300.csv')}' (FORMAT csv, HEADER)`);
    const big = await snapshotOf(path('t50k.csv'), 't50k', { key: ['id'] });
    const small = await snapshotOf(path('t300.csv'), 't300', { key: ['id'] });
    console.log(`snapshot of 50,000 × 15: ${Buffer.byteLength(big.text)} bytes; of 300 × 15: ${Buffer.byteLength(small.text)} bytes`);
    expect(big.artifact.columns).toHaveLength(15);
    expect(Buffer.byteLength(big.text)).toBeLessThan(150_000);
    expect(Buffer.byteLength(small.text)).toBeLessThan(75_000);
    // What the size buys: the e-mail column keeps counts only; categories keep every value.
    expect(big.artifact.distributions.email!.categorical!.values).toEqual([]);
    expect(big.artifact.distributions.city!.categorical!.values).toHaveLength(7);
  });

  it('an identifier-like column forced categorical against a snapshot is a skipped check, never a silent pass', async () => {
    await duck(`COPY (SELECT range AS id, 'user' || range || '@example.com' AS email FROM range(2000)) TO '${path('ids.csv')}' (FORMAT csv, HEADER)`);
    writeFileSync(path('ids.snapshot.json'), (await snapshotOf(path('ids.csv'), 'ids')).text);
    const report = await runSnapshotComparison('data', `${path('ids.snapshot.json')}#ids`, path('ids.csv'), { drift: { kinds: { email: 'categorical' }, always: true } });
    const skipped = JSON.stringify(report.stages[0]!.summary);
    expect(skipped).toContain('category tests of email');
    expect(skipped).toContain('looked like an identifier');
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
