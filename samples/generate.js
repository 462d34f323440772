#!/usr/bin/env node
// Generates the sample research/production pipeline pair (fixed seed, so the files are reproducible).
// Production has planted breaks at several stages; samples/README.md lists them.
//   node samples/generate.js [outDir]
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? here);
const ROWS = 4000;

/** mulberry32: a small seeded PRNG, so every run writes the same bytes. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(20261123);
const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const pick = (xs, weights) => {
  let u = rand() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < xs.length; i++) {
    u -= weights[i];
    if (u < 0) return xs[i];
  }
  return xs[xs.length - 1];
};
const iso = (ms) => new Date(ms).toISOString().replace('T', ' ').replace('.000Z', '');

// ---- raw customers (research) ----
const REGIONS = ['north', 'south', 'east', 'west', 'central'];
const base = Date.UTC(2024, 0, 1);
const raw = [];
for (let i = 0; i < ROWS; i++) {
  const income = rand() < 0.06 ? null : Math.round(Math.exp(10.4 + 0.5 * normal()) * 100) / 100;
  raw.push({
    customer_id: 100000 + i,
    signup_at: iso(base + Math.floor(rand() * 365 * 86400) * 1000),
    age: 18 + Math.floor(rand() * 60),
    income,
    region: pick(REGIONS, [3, 2, 2, 2, 1]),
    balance: Math.round((rand() * 20000 - 2000) * 1e6) / 1e6,
    n_txn: Math.floor(rand() * 120),
  });
}

// ---- production raw: rows lost in ETL, an unseen region on a few rows ----
const lost = new Set(raw.filter((_r, i) => i % 331 === 17).map((r) => r.customer_id));
const atlantis = new Set(raw.filter((_r, i) => i % 797 === 5).map((r) => r.customer_id));
const rawProd = raw.filter((r) => !lost.has(r.customer_id)).map((r) => ({ ...r, region: atlantis.has(r.customer_id) ? 'atlantis' : r.region }));

// ---- features: research imputes missing income with the mean; production fills with 0 ----
const incomes = raw.map((r) => r.income).filter((x) => x !== null);
const meanIncome = incomes.reduce((a, b) => a + b, 0) / incomes.length;
const sd = Math.sqrt(incomes.reduce((a, b) => a + (b - meanIncome) ** 2, 0) / incomes.length);
const _regionIndex = (r) => REGIONS.indexOf(r);
function features(rows, fillIncome) {
  return rows.map((r) => {
    const income = r.income ?? fillIncome;
    return {
      customer_id: r.customer_id,
      age: r.age,
      income_scaled: Math.round(((income - meanIncome) / sd) * 1e9) / 1e9,
      balance_k: Math.round((r.balance / 1000) * 1e9) / 1e9,
      txn_per_month: Math.round((r.n_txn / 12) * 1e9) / 1e9,
      region: r.region,
    };
  });
}
const featResearch = features(raw, meanIncome);
const featProd = features(rawProd, 0);

// ---- splits: research seeds its shuffle; production forgot the seed (same sizes, other members) ----
function split(rows, seed) {
  const r = rng(seed);
  const ids = rows.map((x) => x.customer_id);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  const nTrain = Math.round(ids.length * 0.7);
  const nVal = Math.round(ids.length * 0.15);
  return ids.map((id, i) => ({ customer_id: id, split: i < nTrain ? 'train' : i < nTrain + nVal ? 'validation' : 'test' })).sort((a, b) => a.customer_id - b.customer_id);
}
const splitResearch = split(raw, 42);
const splitProd = split(rawProd, Date.UTC(2026, 10, 2) % 100000);

// ---- predictions: one logistic model; NaN where the region was never seen in training ----
const W = { bias: -0.3, age: -0.015, income: 0.9, balance: 0.08, txn: 0.05 };
const REGION_W = { north: 0.2, south: -0.1, east: 0.05, west: -0.2, central: 0.1 };
const truth = new Map(raw.map((r) => [r.customer_id, 0]));
function predict(rows) {
  return rows.map((f) => {
    const rw = REGION_W[f.region];
    const z = W.bias + W.age * (f.age - 45) + W.income * f.income_scaled + W.balance * f.balance_k + W.txn * f.txn_per_month + (rw ?? NaN);
    const score = rw === undefined ? NaN : Math.round((1 / (1 + Math.exp(-z))) * 1e12) / 1e12;
    return { customer_id: f.customer_id, score, label: Number.isNaN(score) ? null : score >= 0.5 ? 1 : 0 };
  });
}
const predResearch = predict(featResearch);
const rTruth = rng(7);
for (const p of predResearch) truth.set(p.customer_id, rTruth() < p.score * 0.8 + 0.1 ? 1 : 0);
const withTruth = (ps) => ps.map((p) => ({ ...p, y: truth.get(p.customer_id) }));
const predProd = predict(featProd);

// ---- write ----
function csv(rows) {
  const cols = Object.keys(rows[0]);
  const cell = (v) => (v === null || v === undefined ? '' : typeof v === 'number' && Number.isNaN(v) ? 'NaN' : String(v));
  return `${cols.join(',')}\n${rows.map((r) => cols.map((c) => cell(r[c])).join(',')).join('\n')}\n`;
}
const files = {
  'research/raw.csv': raw,
  'production/raw.csv': rawProd,
  'research/features.csv': featResearch,
  'production/features.csv': featProd,
  'research/splits.csv': splitResearch,
  'production/splits.csv': splitProd,
  'research/predictions.csv': withTruth(predResearch),
  'production/predictions.csv': withTruth(predProd),
};
for (const [name, rows] of Object.entries(files)) {
  mkdirSync(dirname(join(out, name)), { recursive: true });
  writeFileSync(join(out, name), csv(rows));
}
writeFileSync(
  join(out, 'research/requirements.txt'),
  ['# research notebook environment (pip freeze)', 'numpy==1.26.4', 'pandas==2.2.2', 'scikit-learn==1.3.2', 'scipy==1.11.4', 'joblib==1.4.2', 'threadpoolctl==3.5.0', 'pyarrow==15.0.2', ''].join('\n'),
);
writeFileSync(
  join(out, 'production/requirements.txt'),
  [
    '# production image (pip freeze)',
    'numpy==1.26.4',
    'pandas==2.2.2',
    'scikit-learn==1.5.0',
    'scipy==1.11.4',
    'joblib==1.4.2',
    'threadpoolctl==3.5.0',
    'pyarrow==15.0.2',
    'gunicorn==22.0.0',
    '',
  ].join('\n'),
);

// Research keeps columnar copies, as notebooks usually do: the comparison is Parquet vs CSV.
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
for (const name of ['raw', 'features']) {
  const src = join(out, `research/${name}.csv`).replaceAll("'", "''");
  const dst = join(out, `research/${name}.parquet`).replaceAll("'", "''");
  await con.run(`COPY (SELECT * FROM read_csv('${src}')) TO '${dst}' (FORMAT parquet)`);
}
con.closeSync();
db.closeSync();
console.log(`samples written to ${out}: ${ROWS} customers; ${lost.size} rows lost, ${atlantis.size} unseen regions in production`);
