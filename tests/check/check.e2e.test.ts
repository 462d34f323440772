import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { assertValidReport } from '../helpers/schema.js';
import { ROOT, breaking, runCli, runJson } from '../helpers/cli.js';

const SAMPLES = join(ROOT, 'samples');
const work = mkdtempSync(join(tmpdir(), 'reprodiff-check-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const byCause = (json: any, stage: string, cause: string) => json.findings.filter((f: any) => f.stage === stage && f.cause === cause);

describe('check on the sample pipeline (planted breaks at several stages)', () => {
  let r: Awaited<ReturnType<typeof runJson>>;
  beforeAll(async () => {
    r = await runJson(['check', 'samples/reprodiff.yml', '--junit', join(work, 'r.xml'), '--markdown', join(work, 'r.md'), '--html', join(work, 'r.html')]);
  });

  it('names data as the first broken stage, exit 1, valid JSON', () => {
    assertValidReport(r.json);
    expect(r.code).toBe(1);
    expect(r.json.command).toBe('check');
    expect(r.json.firstBrokenStage).toBe('data');
    expect(r.json.stages.map((s: any) => [s.stage, s.status])).toEqual([
      ['data', 'different'],
      ['features', 'different'],
      ['splits', 'different'],
      ['predictions', 'different'],
      ['env', 'different'],
    ]);
  });

  it('data: 13 rows lost in ETL, with their keys', () => {
    const [f] = byCause(r.json, 'data', 'rows_missing');
    expect(f).toMatchObject({ severity: 'error', columns: ['customer_id'], rowsAffected: 13, propagatedFrom: null });
    expect(f.sampleKeys).toEqual([100017, 100348, 100679, 101010, 101341]);
  });

  it('features: its own root, null handling on income_scaled, explained by null income in raw', () => {
    const [f] = byCause(r.json, 'features', 'null_handling');
    expect(f).toMatchObject({ columns: ['income_scaled'], rowsAffected: 247, propagatedFrom: null });
    expect(f.evidence.explanation).toMatchObject({ source: 'data', column: 'income', condition: 'null', differingShare: 1, matchingShare: 0 });
    // Consequences of the raw break carry their origin.
    expect(byCause(r.json, 'features', 'rows_missing')[0].propagatedFrom).toBe('data');
    expect(byCause(r.json, 'features', 'unseen_category')[0].propagatedFrom).toBe('data');
  });

  it('splits: the split was drawn over the rows data lost, so its reshuffle follows from data (not "unseeded" on that evidence)', () => {
    expect(byCause(r.json, 'splits', 'split_unseeded')).toEqual([]);
    const [f] = byCause(r.json, 'splits', 'split_membership').filter((x: any) => x.evidence.moved !== undefined);
    expect(f).toMatchObject({ columns: ['split'], propagatedFrom: 'data' });
    expect(f.evidence.sameSizes).toBe(true);
    expect(f.message).toMatch(/drawn over rows that changed upstream \(data differs\)/);
    expect(r.json.stages[2].summary.transitions.counts.length).toBeGreaterThan(2);
  });

  it('predictions: every difference is a consequence, traced to its upstream stage', () => {
    const preds = r.json.findings.filter((f: any) => f.stage === 'predictions' && f.severity !== 'info');
    expect(preds.length).toBeGreaterThan(2);
    expect(preds.every((f: any) => f.propagatedFrom !== null)).toBe(true);
    expect(byCause(r.json, 'predictions', 'prediction_nan')[0]).toMatchObject({ rowsAffected: 6, propagatedFrom: 'data' });
    expect(byCause(r.json, 'predictions', 'prediction_mismatch')[0].propagatedFrom).toBe('features');
  });

  it('env: the scikit-learn upgrade is an error', () => {
    expect(byCause(r.json, 'env', 'library_version')[0]).toMatchObject({ severity: 'error', columns: ['scikit-learn'] });
  });

  it('writes JUnit, Markdown and a self-contained HTML report from the same document', () => {
    const junit = readFileSync(join(work, 'r.xml'), 'utf8');
    expect(junit).toMatch(/<testsuite name="data"/);
    expect(junit).toMatch(/<failure/);
    expect(readFileSync(join(work, 'r.md'), 'utf8')).toMatch(/first break/i);
    const html = readFileSync(join(work, 'r.html'), 'utf8');
    expect(html).toMatch(/<svg/);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/);
  });

  it('the terminal output starts with the verdict and the stage ladder', async () => {
    const t = await runCli(['check', 'samples/reprodiff.yml']);
    const lines = t.stdout.split('\n').filter((l) => l.trim() && !l.startsWith('paired') && !l.startsWith('  '));
    expect(lines[0]).toMatch(/^✘ different: first break at data — rows_missing/);
    expect(lines[1]).toMatch(/data ✘ first break · features ✘ · splits ↳ propagated · predictions ↳ propagated · env ✘/);
  });
});

/** The same pipeline written differently: other formats, row and column order, float text, env file format. */
async function equivalentCopy(dir: string): Promise<void> {
  mkdirSync(join(dir, 'research'), { recursive: true });
  mkdirSync(join(dir, 'production'), { recursive: true });
  for (const f of readdirSync(join(SAMPLES, 'research'))) copyFileSync(join(SAMPLES, 'research', f), join(dir, 'research', f));
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const out = (name: string) => q(join(dir, 'production', name));
  const src = (name: string) => q(join(SAMPLES, 'research', name));
  // Production exports CSV with the columns in another order and the rows shuffled (by a hash).
  await con.run(`COPY (SELECT region, n_txn, balance, income, age, signup_at, customer_id FROM read_parquet(${src('raw.parquet')}) ORDER BY hash(customer_id)) TO ${out('raw.csv')} (HEADER)`);
  await con.run(`COPY (SELECT * FROM read_parquet(${src('features.parquet')}) ORDER BY hash(customer_id, 7)) TO ${out('features.parquet')} (FORMAT parquet)`);
  await con.run(`COPY (SELECT split, customer_id FROM read_csv(${src('splits.csv')})) TO ${out('splits.parquet')} (FORMAT parquet)`);
  await con.run(`COPY (SELECT customer_id, score, label, y FROM read_csv(${src('predictions.csv')}) ORDER BY customer_id DESC) TO ${out('predictions.ndjson')} (FORMAT json)`);
  con.closeSync();
  db.closeSync();
  // The same pins, written as a requirements file with other spellings and order.
  const pins = readFileSync(join(SAMPLES, 'research', 'requirements.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('=='));
  writeFileSync(
    join(dir, 'production', 'requirements.txt'),
    `${pins
      .reverse()
      .map((l) => l.replace('scikit-learn', 'Scikit_Learn'))
      .join('\n')}\n`,
  );
  writeFileSync(
    join(dir, 'reprodiff.yml'),
    `key: customer_id\nresearch:\n  data: research/raw.parquet\n  features: research/features.parquet\n  splits: research/splits.csv\n  predictions: research/predictions.csv\n  env: research/requirements.txt\nproduction:\n  data: production/raw.csv\n  features: production/features.parquet\n  splits: production/splits.parquet\n  predictions: production/predictions.ndjson\n  env: production/requirements.txt\n`,
  );
}

describe('check on an equivalent pipeline', () => {
  const dir = join(work, 'equivalent');
  beforeAll(() => equivalentCopy(dir));

  it('is equal: exit 0, no warning, every stage compared', async () => {
    const r = await runJson(['check', join(dir, 'reprodiff.yml')]);
    assertValidReport(r.json);
    expect(breaking(r.json), JSON.stringify(breaking(r.json), null, 1)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.json.stages.every((s: any) => s.status === 'equal')).toBe(true);
  });

  it('a stage absent on one side is not compared, with its reason: artifact_unpaired, never equal', async () => {
    const cfg = readFileSync(join(dir, 'reprodiff.yml'), 'utf8').replace(/\n {2}predictions: production\/predictions.ndjson/, '');
    writeFileSync(join(dir, 'partial.yml'), cfg);
    const r = await runJson(['check', join(dir, 'partial.yml')]);
    const p = r.json.stages.find((s: any) => s.stage === 'predictions');
    expect(p.status).toBe('different');
    expect(p.reason).toMatch(/no production artifact/);
    expect(byCause(r.json, 'predictions', 'artifact_unpaired')).toMatchObject([{ severity: 'warning' }]);
    expect(r.code).toBe(1);
  });

  it('inputs are never modified (checksums and modification times)', async () => {
    const files = ['research', 'production'].flatMap((s) => readdirSync(join(dir, s)).map((f) => join(dir, s, f)));
    const stamp = () => files.map((f) => `${f} ${statSync(f).mtimeMs} ${createHash('sha256').update(readFileSync(f)).digest('hex')}`);
    const before = stamp();
    await runCli(['check', join(dir, 'reprodiff.yml'), '--output', join(work, 'out.json')]);
    expect(stamp()).toEqual(before);
    expect(readdirSync(join(dir, 'research')).some((f) => f.startsWith('.tmp'))).toBe(false);
  });
});

describe('check on two folders (no config)', () => {
  it('pairs artifacts by name, prefers the same format, says what it left out, and can save the config', async () => {
    const dir = join(work, 'folders');
    await equivalentCopy(dir);
    // research has raw in two formats; production has CSV: the CSVs are paired.
    copyFileSync(join(dir, 'production', 'raw.csv'), join(dir, 'research', 'raw.csv'));
    const r = await runCli(['check', join(dir, 'research'), join(dir, 'production'), '--write-config', join(dir, 'saved.yml')]);
    expect(r.stdout).toMatch(/paired data: .*raw\.csv ↔ .*raw\.csv/);
    expect(r.stdout).toMatch(/left out .*raw\.parquet/);
    expect(r.code).toBe(0);
    const saved = loadConfig(join(dir, 'saved.yml'));
    expect(saved.config.key).toBe('customer_id');
    expect(saved.config.research.data).toBe('research/raw.csv');
  });
});

describe('check: bad configs are one line naming the file, the path and the fix (exit 2)', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown stage', 'research:\n  data: a.csv\n  models: m.pkl\nproduction:\n  data: b.csv\n', /unknown key 'models' in research.*stages are data, features/],
    ['bad tolerance', 'tolerance:\n  abs: -1\nresearch:\n  data: a.csv\nproduction:\n  data: b.csv\n', /tolerance\.abs/],
    ['not YAML', 'research: [unclosed\n', /not valid YAML/],
    [
      'alias bomb',
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nresearch: {data: a.csv}\nproduction: {data: b.csv}\n',
      /alias|E_CONFIG/i,
    ],
  ];
  for (const [name, text, pattern] of cases) {
    it(name, async () => {
      const file = join(work, `${name.replace(/ /g, '-')}.yml`);
      writeFileSync(file, text);
      const r = await runCli(['check', file]);
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/E_CONFIG/);
      expect(lines[0]).toContain(file);
      expect(lines[0]).toMatch(pattern);
    });
  }

  it('a key column that is not there: E_KEY_UNKNOWN, exit 2', async () => {
    const r = await runCli(['check', 'samples/reprodiff.yml', '--key', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/E_KEY_UNKNOWN: key column 'nope'/);
  });
});

describe('init', () => {
  it('writes a starter config that passes the schema, and refuses to overwrite it', async () => {
    const file = join(work, 'init', 'reprodiff.yml');
    mkdirSync(join(work, 'init'), { recursive: true });
    expect((await runCli(['init', file])).code).toBe(0);
    expect(loadConfig(file).config.research.data).toBe('research/raw.parquet');
    const again = await runCli(['init', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--force/);
  });
});

describe('determinism', () => {
  it('byte-identical JSON, Markdown, JUnit and HTML across runs and thread counts', async () => {
    const outputs = async (tag: string, threads: string[]) => {
      const files = ['json', 'md', 'xml', 'html'].map((e) => join(work, `det-${tag}.${e}`));
      await runCli(['check', 'samples/reprodiff.yml', '--output', files[0]!, '--markdown', files[1]!, '--junit', files[2]!, '--html', files[3]!, ...threads]);
      return files.map((f) => readFileSync(f, 'utf8'));
    };
    const a = await outputs('a', []);
    const b = await outputs('b', []);
    const c = await outputs('c', ['--threads', '1']);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });
});
