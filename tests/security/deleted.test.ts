/**
 * An input removed while a comparison runs (a pipeline rewriting its output): DuckDB views re-read their files on
 * every scan, so the next scan fails. That is one line naming the input and saying what happened, not a reader
 * error about a "damaged" file and never a stack trace.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareDatasets } from '../../src/compare/data/index.js';
import { ReprodiffError } from '../../src/errors.js';
import { withInputs } from '../../src/sources/open.js';

const dir = mkdtempSync(join(tmpdir(), 'reprodiff-deleted-'));
const research = join(dir, 'research.parquet');
const production = join(dir, 'production.parquet');

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (SELECT range AS id, range * 1.5 AS x FROM range(5000)) TO '${research}' (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
  copyFileSync(research, production);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an input removed during the run', () => {
  it('is E_FILE_NOT_FOUND naming the input, one line', async () => {
    const run = withInputs([{ path: research }, { path: production }], {}, async (engine, open) => {
      const a = await open(0, 'research');
      const b = await open(1, 'production');
      rmSync(production);
      return compareDatasets(engine, a, b, { key: ['id'] }, 'data');
    });
    const error = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ReprodiffError);
    expect((error as ReprodiffError).code).toBe('E_FILE_NOT_FOUND');
    expect((error as ReprodiffError).message).toMatch(/production\.parquet: the file was removed or renamed during the run/);
    expect((error as ReprodiffError).message.split('\n')).toHaveLength(1);
  });
});
