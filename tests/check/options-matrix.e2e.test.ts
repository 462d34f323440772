/**
 * One comparison, three entry points: the stage command with flags, `check` with a reprodiff.yml, and
 * `check` over two folders with the same flags (and, for data, a research snapshot through both the
 * stage command and the config). Each option must give the same findings whichever way it is given.
 */
import { mkdirSync, mkdtempSync, readFileSync as readFile, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertValidReport } from '../helpers/schema.js';
import { ROOT, runCli, runJson } from '../helpers/cli.js';

const SAMPLES = join(ROOT, 'samples');
const work = mkdtempSync(join(tmpdir(), 'reprodiff-matrix-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
const R = join(work, 'research');
const P = join(work, 'production');

beforeAll(async () => {
  mkdirSync(R, { recursive: true });
  mkdirSync(P, { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const src = (side: string, f: string) => q(join(SAMPLES, side, f));
  // Production renames region → area, adds 0.003 to every balance and renames the split, score and label columns.
  await con.run(`COPY (SELECT * FROM read_parquet(${src('research', 'raw.parquet')})) TO ${q(join(R, 'raw.parquet'))} (FORMAT parquet)`);
  await con.run(`COPY (SELECT * EXCLUDE (region, balance), region AS area, round(balance + 0.003, 6) AS balance FROM read_csv(${src('production', 'raw.csv')})) TO ${q(join(P, 'raw.csv'))} (HEADER)`);
  await con.run(`COPY (SELECT * FROM read_parquet(${src('research', 'features.parquet')})) TO ${q(join(R, 'features.parquet'))} (FORMAT parquet)`);
  await con.run(`COPY (SELECT * FROM read_csv(${src('production', 'features.csv')})) TO ${q(join(P, 'features.csv'))} (HEADER)`);
  await con.run(`COPY (SELECT customer_id, split, customer_id // 4 AS household FROM read_csv(${src('research', 'splits.csv')})) TO ${q(join(R, 'splits.csv'))} (HEADER)`);
  await con.run(`COPY (SELECT customer_id, split AS partition_label, customer_id // 4 AS household FROM read_csv(${src('production', 'splits.csv')})) TO ${q(join(P, 'splits.csv'))} (HEADER)`);
  await con.run(`COPY (SELECT * FROM read_csv(${src('research', 'predictions.csv')})) TO ${q(join(R, 'predictions.csv'))} (HEADER)`);
  await con.run(
    `COPY (SELECT customer_id, score * (1 + 1e-9) AS proba, label AS pred_label, y FROM read_csv(${src('research', 'predictions.csv')}) WHERE customer_id % 50 <> 7) TO ${q(join(P, 'predictions.csv'))} (HEADER)`,
  );
  con.closeSync();
  db.closeSync();
});

interface Case {
  readonly name: string;
  readonly stage: 'data' | 'features' | 'splits' | 'predictions';
  readonly file: { research: string; production: string };
  /** Flags of the stage command (also given to `check` over folders, except where `checkFlags` says). */
  readonly flags: string[];
  readonly checkFlags?: string[];
  /** The same options as reprodiff.yml lines (besides research/production). */
  readonly yaml: string;
}

const cases: Case[] = [
  {
    name: 'data: key, ignore, map, per-column tolerance, sample size',
    stage: 'data',
    file: { research: 'raw.parquet', production: 'raw.csv' },
    flags: ['--key', 'customer_id', '--ignore', 'n_txn', '--map', 'region=area', '--tol', 'balance=abs:0.005', '--sample', '2'],
    yaml: 'key: customer_id\nignore: [n_txn]\nrename: { region: area }\ntolerance: { columns: { balance: { abs: 0.005 } } }\nsample: 2\n',
  },
  {
    name: 'data: global absolute tolerance, fail-on error',
    stage: 'data',
    file: { research: 'raw.parquet', production: 'raw.csv' },
    flags: ['--key', 'customer_id', '--map', 'region=area', '--abs-tol', '0.01', '--fail-on', 'error'],
    yaml: 'key: customer_id\nrename: { region: area }\ntolerance: { abs: 0.01 }\nfailOn: error\n',
  },
  {
    name: 'features: drift test and threshold per column',
    stage: 'features',
    file: { research: 'features.parquet', production: 'features.csv' },
    flags: ['--key', 'customer_id', '--test', 'income_scaled=psi', '--threshold', 'income_scaled=0.05', '--sample', '3'],
    yaml: 'key: customer_id\nsample: 3\nstages:\n  features: { drift: { tests: { income_scaled: psi }, thresholds: { income_scaled: 0.05 } } }\n',
  },
  {
    name: 'splits: split and group columns under a rename',
    stage: 'splits',
    file: { research: 'splits.csv', production: 'splits.csv' },
    flags: ['--key', 'customer_id', '--split-col', 'split', '--group-col', 'household', '--map', 'split=partition_label', '--sample', '2'],
    yaml: 'key: customer_id\nsample: 2\nstages:\n  splits: { splitColumn: split, groupColumn: household, rename: { split: partition_label } }\n',
  },
  {
    name: 'predictions: score, label and truth columns renamed, relative tolerance',
    stage: 'predictions',
    file: { research: 'predictions.csv', production: 'predictions.csv' },
    flags: ['--key', 'customer_id', '--score-col', 'score', '--label-col', 'label', '--truth-col', 'y', '--map', 'score=proba', '--map', 'label=pred_label', '--rel-tol', '1e-6'],
    yaml: 'key: customer_id\nstages:\n  predictions: { scoreColumn: score, labelColumn: label, truthColumn: y, rename: { score: proba, label: pred_label }, tolerance: { rel: 1e-6 } }\n',
  },
];

/** A folder holding only this stage's artifact, named so that `check` pairs it with the stage. */
function stageFolders(c: Case, tag: string): { research: string; production: string; yml: string } {
  const dir = join(work, tag);
  const out = { research: join(dir, 'research'), production: join(dir, 'production'), yml: join(dir, 'reprodiff.yml') };
  for (const side of ['research', 'production'] as const) {
    mkdirSync(out[side], { recursive: true });
    const file = c.file[side];
    writeFileSync(join(out[side], file), readFile(join(side === 'research' ? R : P, file)));
  }
  writeFileSync(out.yml, `${c.yaml}research:\n  ${c.stage}: research/${c.file.research}\nproduction:\n  ${c.stage}: production/${c.file.production}\n`);
  return out;
}

const stageFindings = (json: any, stage: string) => json.findings.filter((f: any) => f.stage === stage);

describe('every comparison option gives the same findings through every entry point', () => {
  for (const [i, c] of cases.entries()) {
    it(c.name, async () => {
      const f = stageFolders(c, `case${i}`);
      const command = await runJson([c.stage, join(f.research, c.file.research), join(f.production, c.file.production), ...c.flags]);
      const config = await runJson(['check', f.yml]);
      const folders = await runJson(['check', f.research, f.production, ...(c.checkFlags ?? c.flags)]);
      for (const r of [command, config, folders]) assertValidReport(r.json);
      const expected = stageFindings(command.json, c.stage);
      expect(expected.length).toBeGreaterThan(0);
      expect(stageFindings(config.json, c.stage)).toEqual(expected);
      expect(stageFindings(folders.json, c.stage)).toEqual(expected);
      expect(config.code).toBe(command.code);
      expect(folders.code).toBe(command.code);
    });
  }

  it('the options change the findings (each case would fail if an entry point ignored them)', async () => {
    const c = cases[0]!;
    const f = stageFolders(c, 'bare');
    const bare = await runJson(['check', f.research, f.production, '--key', 'customer_id']);
    const causes = stageFindings(bare.json, 'data').map((x: any) => `${x.cause}:${x.columns.join(',')}`);
    expect(causes).toContain('column_missing:region');
    expect(causes.some((x: string) => x.startsWith('value_changed:balance'))).toBe(true);
    const preds = stageFolders(cases[4]!, 'bare-preds');
    // Without the rename the score column is not on both sides: one clear error, as `predictions` gives.
    const e = await runCli(['check', preds.research, preds.production, '--key', 'customer_id', '--score-col', 'score']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/E_COLUMN_UNKNOWN/);
  });

  it('a research snapshot: the same findings from `data snap#raw` and from a reprodiff.yml that names it', async () => {
    const snap = join(work, 'research.snapshot.json');
    const made = await runCli(['snapshot', `raw=${join(R, 'raw.parquet')}`, '--key', 'customer_id', '-o', snap]);
    expect(made.code).toBe(0);
    const yml = join(work, 'snap.yml');
    writeFileSync(yml, `key: customer_id\nrename: { region: area }\nresearch:\n  data: research.snapshot.json#raw\nproduction:\n  data: production/raw.csv\n`);
    const command = await runJson(['data', `${snap}#raw`, join(P, 'raw.csv'), '--key', 'customer_id', '--map', 'region=area']);
    const config = await runJson(['check', yml]);
    assertValidReport(config.json);
    expect(stageFindings(command.json, 'data').length).toBeGreaterThan(0);
    expect(stageFindings(config.json, 'data')).toEqual(stageFindings(command.json, 'data'));
    expect(config.code).toBe(command.code);
    const splits = join(work, 'snap-splits.yml');
    writeFileSync(splits, `research:\n  splits: research.snapshot.json#raw\nproduction:\n  splits: production/splits.csv\n`);
    const bad = await runCli(['check', splits]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/E_USAGE: .*snapshot holds no rows/);
  });
});
