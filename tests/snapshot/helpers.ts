import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { compareDatasets } from '../../src/compare/data/index.js';
import { compareDistributions } from '../../src/compare/distribution/index.js';
import { categoryCounts } from '../../src/compare/data/profile.js';
import { openDataset } from '../../src/sources/register.js';
import { resolveInput } from '../../src/sources/resolve.js';
import { compareSnapshotToDataset, makeSnapshot, serializeSnapshot, validateSnapshot } from '../../src/snapshot/index.js';
import type { SnapshotCompareOptions, SnapshotOptions } from '../../src/snapshot/index.js';

export function tempDir(prefix = 'reprodiff-snapshot-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs SQL (COPY … TO) in a plain DuckDB, outside the locked-down engine, to make fixtures. */
export async function duck(...statements: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    for (const s of statements) await c.run(s);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

/** Snapshot of one file, serialised and read back (so every test goes through the file format). */
export async function snapshotOf(path: string, name = 'a', options: SnapshotOptions = {}) {
  const engine = await Engine.open({ readableFiles: [path] });
  try {
    const d = await openDataset(engine, resolveInput(path), name);
    const snap = await makeSnapshot(engine, [{ name, dataset: d }], options);
    const text = serializeSnapshot(snap);
    return { text, snapshot: validateSnapshot(JSON.parse(text), 'test'), artifact: validateSnapshot(JSON.parse(text), 'test').artifacts[name]! };
  } finally {
    engine.close();
  }
}

/** file-vs-file (compareDatasets with drift always on, and the raw distribution tests) and snapshot-vs-file, on the same engine. */
export async function bothWays(researchPath: string, productionPath: string, options: SnapshotCompareOptions = {}) {
  const { artifact } = await snapshotOf(researchPath);
  const engine = await Engine.open({ readableFiles: [researchPath, productionPath] });
  try {
    const a = await openDataset(engine, resolveInput(researchPath), 'research');
    const b = await openDataset(engine, resolveInput(productionPath), 'production');
    const stage = options.stage ?? 'data';
    const files = await compareDatasets(engine, a, b, { ...options, drift: { ...options.drift, always: true } }, stage);
    const dist = await compareDistributions(engine, a, b, files.schema.pairs, { ...options.drift, countCategories: categoryCounts });
    const snap = await compareSnapshotToDataset(engine, artifact, b, options);
    return { files, dist, snap, artifact };
  } finally {
    engine.close();
  }
}
