#!/usr/bin/env node
// `npm run bench`: times reprodiff on a generated research/production Parquet pair against the floor
// (one bare DuckDB full-outer-join count), each run in its own process, with wall seconds and peak RSS.
//
//   node bench/run.js [--rows 10000000] [--only floor,data,features,oom,predictions,csv,check,spill] [--spill] [--spill-rows 100000000]
//                     [--csv-rows 2000000]
//                     [--repeat 1] [--memory-limit 3GB] [--spill-limit 2GB] [--oom-limit 50MB] [--threads N]
//                     [--no-spill-stats] [--save | --no-save] [--timeout 5400] [--render]
//
// Runs (default: floor, data --no-stats, data, data on the features pair, features, oom, predictions):
//   floor          bench/floor.js: FULL OUTER JOIN on id, count rows unmatched or differing in any column
//   data-nostats   reprodiff data A B --key id --no-stats       target ≤ 1.3× floor, peak RSS ≤ 3 GB
//   data           reprodiff data A B --key id (default stats)  target ≤ 3× floor, peak RSS ≤ 3 GB
//   data-exact     reprodiff data A B --key id --exact-stats    target ≤ 5× floor, peak RSS ≤ 3 GB
//   data-fpair     reprodiff data A F --key id (features pair)  reference for the features target
//   features       reprodiff features A F --key id              target ≤ 2× data-fpair, peak RSS ≤ 3 GB
//   oom            reprodiff data A B --key id --memory-limit 50MB: must fail with exit 2, E_MEMORY and a hint
//   predictions    reprodiff predictions PA PF --key id --score-col score --label-col label --truth-col y
//                  --features-research A --features-production F: the mismatch must be attributed to a score feature
//   check          (opt-in: --only check) reprodiff check pipeline-N.yml (data, features, splits, predictions)
//   spill          (opt-in: --spill or --only spill) reprodiff data on --spill-rows rows under --spill-limit 2GB
//   csv-floor      the CSV pair (--csv-rows, default 2,000,000; pandas to_csv text): bare DuckDB read_csv of
//                  both, FULL OUTER JOIN on id, differing rows per column
//   csv-data-nostats reprodiff data A.csv B.csv --key id --no-stats   target ≤ 1.3× csv-floor
//   csv-data       reprodiff data A.csv B.csv --key id              target ≤ 2× csv-floor, ≥ 3× faster than pandas,
//                  ≤ 1/2 of its peak RSS
//   csv-data-exact reprodiff data A.csv B.csv --key id --exact-stats (what exact distinct counts cost)
//   csv-pandas     /usr/bin/python3 bench/pandas_baseline.py (read_csv, outer merge, per-column compare);
//                  skipped with one line when /usr/bin/python3 with pandas is missing
//
// Data is generated once into bench/data/ (git-ignored). Figures for the reference size (10M rows) go to
// bench/results.json and bench/RESULTS.md; other sizes to bench/data/results-<rows>.json unless --save.
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { COLUMNS, SCORE_FEATURES, SHIFTED_COLUMNS, VALUE_COLUMNS, ensureCsv, ensureData, ensurePipeline } from './generate.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const dataDir = join(here, 'data');
const REFERENCE_ROWS = 10_000_000;
const RSS_LIMIT_MB = 3000;
/** The CSV pair's reference size (issue 22: 2M × 20, written the way pandas writes CSV). */
const CSV_REFERENCE_ROWS = 2_000_000;
const PYTHON = '/usr/bin/python3';
const ALL_RUNS = [
  'floor',
  'data-nostats',
  'data',
  'data-exact',
  'data-fpair',
  'features',
  'oom',
  'predictions',
  'csv-floor',
  'csv-data-nostats',
  'csv-data',
  'csv-data-exact',
  'csv-pandas',
  'check',
  'spill',
];
/** Opt-in runs (--only …): spill (slow, big data) and check (walks data + features again, ≈ their time added). */
const DEFAULT_RUNS = ALL_RUNS.filter((r) => r !== 'spill' && r !== 'check');
/** --only groups: `data` means the row diff and the full job; ratios need the floor, so it comes along. */
const GROUPS = {
  floor: ['floor'],
  data: ['floor', 'data-nostats', 'data', 'data-exact'],
  features: ['data-fpair', 'features'],
  oom: ['oom'],
  predictions: ['predictions'],
  check: ['check'],
  spill: ['spill'],
  csv: ['csv-floor', 'csv-data-nostats', 'csv-data', 'csv-data-exact', 'csv-pandas'],
};

const { values: opts } = parseArgs({
  options: {
    rows: { type: 'string', default: String(REFERENCE_ROWS) },
    'csv-rows': { type: 'string', default: String(CSV_REFERENCE_ROWS) },
    only: { type: 'string' },
    spill: { type: 'boolean', default: false },
    'spill-rows': { type: 'string', default: '100000000' },
    'spill-limit': { type: 'string', default: '2GB' },
    'no-spill-stats': { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
    'memory-limit': { type: 'string', default: '3GB' },
    'oom-limit': { type: 'string', default: '50MB' },
    threads: { type: 'string' },
    save: { type: 'boolean' },
    'no-save': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '5400' },
    render: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  const text = lines
    .slice(
      1,
      lines.findIndex((l, i) => i > 0 && !l.startsWith('//')),
    )
    .map((l) => l.replace(/^\/\/ ?/, ''));
  process.stdout.write(`${text.join('\n')}\n`);
  process.exit(0);
}

const rows = parseCount(opts.rows, '--rows');
const spillRows = parseCount(opts['spill-rows'], '--spill-rows');
const csvRows = parseCount(opts['csv-rows'], '--csv-rows');
const repeat = Math.max(1, parseCount(opts.repeat, '--repeat'));
const timeoutSeconds = parseCount(opts.timeout, '--timeout');
const spillStats = !opts['no-spill-stats'];
let selected;
if (opts.only) {
  selected = new Set();
  for (const part of opts.only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const runs = GROUPS[part] ?? (ALL_RUNS.includes(part) ? [part] : null);
    if (!runs) fail(`unknown --only '${part}' (one of ${[...Object.keys(GROUPS), ...ALL_RUNS.filter((r) => !GROUPS[r])].join(', ')})`);
    runs.forEach((r) => selected.add(r));
  }
} else {
  selected = new Set(DEFAULT_RUNS);
  if (opts.spill) selected.add('spill');
}
// Saved by default only at the reference sizes of the runs selected (10M Parquet, 2M CSV).
const referenceSize = [...selected].every((r) => (r.startsWith('csv-') ? csvRows === CSV_REFERENCE_ROWS : rows === REFERENCE_ROWS));
const save = opts['no-save'] ? false : (opts.save ?? referenceSize);

function parseCount(text, flag) {
  const n = Number(
    String(text)
      .replaceAll('_', '')
      .replace(/e(\d+)$/i, (_m, e) => `e${e}`),
  );
  if (!Number.isInteger(n) || n < 0) fail(`${flag} must be a whole number, got '${text}'`);
  return n;
}

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

const log = (m) => process.stderr.write(`${m}\n`);
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/**
 * Runs one child process and measures it: wall seconds and peak RSS (GNU time's %M, or VmHWM polled
 * from /proc when GNU time is missing). stdout and stderr go to files.
 */
async function measure(name, argv, options = {}) {
  // Another `npm run build` (rm -rf dist && tsc) can remove dist/ under a run: wait for it and retry.
  for (let attempt = 0; ; attempt++) {
    const r = await measureOnce(name, argv, options);
    const vanished = r.exitCode === 2 && /command \S+ not found|Cannot find module|ERR_MODULE_NOT_FOUND/.test(r.stderr);
    if (!vanished || attempt >= 5) return r;
    log(`  ${name}: dist/ missing (a rebuild in progress?), retrying in 20 s`);
    await new Promise((res) => setTimeout(res, 20_000));
  }
}

async function measureOnce(name, argv, { cwd = root, exe = process.execPath } = {}) {
  const dir = join(dataDir, 'runs');
  mkdirSync(dir, { recursive: true });
  const outFile = join(dir, `${name}.stdout`);
  const errFile = join(dir, `${name}.stderr`);
  const timeFile = join(dir, `${name}.time`);
  rmSync(timeFile, { force: true });
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  const command = TIME ? TIME : exe;
  const args = TIME ? ['-f', '%e %M', '-o', timeFile, exe, ...argv] : argv;
  const started = performance.now();
  let hwmKb = 0;
  const child = spawn(command, args, { cwd, stdio: ['ignore', out, err], detached: true });
  const poll = TIME
    ? null
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
        } catch {
          /* exited */
        }
      }, 50);
  const timer = setTimeout(() => {
    log(`  ${name}: timed out after ${timeoutSeconds} s, killing`);
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, timeoutSeconds * 1000);
  const exitCode = await new Promise((res) => child.on('exit', (code, signal) => res(code ?? (signal ? 128 : 1))));
  clearTimeout(timer);
  if (poll) clearInterval(poll);
  closeSync(out);
  closeSync(err);
  const wall = (performance.now() - started) / 1000;
  let seconds = wall;
  let rssKb = hwmKb;
  if (TIME && existsSync(timeFile)) {
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const m = /^([\d.]+) (\d+)$/.exec(last.trim());
    if (m) {
      seconds = Number(m[1]);
      rssKb = Number(m[2]);
    }
  }
  return { exitCode, seconds, wall, peakRssMB: Math.round((rssKb * 1024) / 1e6), stdout: readFileSync(outFile, 'utf8'), stderr: readFileSync(errFile, 'utf8') };
}

async function measureRepeated(name, argv, options = {}) {
  const tries = [];
  for (let i = 0; i < repeat; i++) {
    const r = await measure(repeat > 1 ? `${name}-${i + 1}` : name, argv, options);
    log(`  ${name}${repeat > 1 ? ` #${i + 1}` : ''}: ${r.seconds.toFixed(2)} s, peak RSS ${r.peakRssMB} MB, exit ${r.exitCode}`);
    tries.push(r);
    if (r.exitCode > 2) break;
  }
  const sorted = [...tries].sort((a, b) => a.seconds - b.seconds);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return { ...median, seconds: median.seconds, peakRssMB: Math.max(...tries.map((t) => t.peakRssMB)), allSeconds: tries.map((t) => t.seconds) };
}

/** What a keyed diff of the pair must report, checked against the JSON report's row summary. */
function checkRows(report, expected) {
  const s = report?.stages?.[0]?.summary?.rows;
  if (!s) return 'no row summary in the report';
  const problems = [];
  for (const [k, want] of [
    ['onlyResearch', expected.onlyResearch],
    ['onlyProduction', expected.onlyProduction],
    ['changed', expected.changed],
    ['matched', expected.matched],
  ]) {
    if (s[k] !== want) problems.push(`${k} ${s[k]} ≠ ${want}`);
  }
  return problems.length ? problems.join(', ') : null;
}

/** The predictions report's mismatch finding (the one attributed to features, else the first). */
function predictionMismatch(report) {
  const list = (report?.findings ?? []).filter((x) => x.stage === 'predictions' && x.cause === 'prediction_mismatch');
  return list.find((x) => x.evidence?.attribution?.length) ?? list[0] ?? null;
}

/**
 * The predictions run: a predictions report; the mismatch counts the rows whose score differs (counted
 * from the files by the generator), and its explanation names a feature the score is computed from,
 * ranked first in the attribution evidence; label flips match too.
 */
function checkPredictions(report, want) {
  if (report?.command !== 'predictions') return 'not a predictions report';
  const f = predictionMismatch(report);
  if (!f) return 'no prediction_mismatch finding';
  const problems = [];
  const ev = f.evidence ?? {};
  if (ev.differing !== want.predictions.scoreDiffer) problems.push(`differing scores ${ev.differing} ≠ ${want.predictions.scoreDiffer}`);
  const top = ev.attribution?.[0];
  if (!top) problems.push('no attribution evidence');
  else if (top.source !== 'features' || !SCORE_FEATURES.includes(top.column)) problems.push(`top attribution is ${top.source}.${top.column}, not one of ${SCORE_FEATURES.join(', ')}`);
  const named = SCORE_FEATURES.filter((c) => f.message.includes(`\`${c}\``));
  if (!named.length) problems.push(`explanation names no score feature: ${f.message}`);
  const flips = (report.findings ?? []).find((x) => x.stage === 'predictions' && x.cause === 'label_flip');
  if (flips?.evidence?.flips !== want.predictions.labelFlips) problems.push(`label flips ${flips?.evidence?.flips} ≠ ${want.predictions.labelFlips}`);
  return problems.length ? problems.join('; ') : null;
}

/**
 * The check run: a check report with the four table stages compared (not skipped, no errors), data
 * first to break, the data stage's row counts, the split moves and the predictions checks as above.
 */
function checkPipeline(report, want) {
  if (report?.command !== 'check') return 'not a check report';
  const problems = [];
  const stage = (name) => (report.stages ?? []).find((x) => x.stage === name);
  for (const name of ['data', 'features', 'splits', 'predictions']) {
    const st = stage(name);
    if (!st) problems.push(`no ${name} stage`);
    else if (st.status !== 'different') problems.push(`${name} is ${st.status}${st.reason ? ` (${st.reason})` : ''}, expected different`);
  }
  if (report.firstBrokenStage !== 'data') problems.push(`first broken stage ${report.firstBrokenStage}, expected data`);
  const rowsProblem = checkRows({ stages: [stage('data')] }, want.production);
  if (rowsProblem) problems.push(`data: ${rowsProblem}`);
  const moved = (report.findings ?? []).filter((x) => x.stage === 'splits' && x.cause === 'split_membership' && x.severity === 'error');
  if (!moved.some((x) => x.rowsAffected === want.splits.moved)) problems.push(`split moves ${moved.map((x) => x.rowsAffected).join(', ') || 'none'} ≠ ${want.splits.moved}`);
  const p = checkPredictions({ ...report, command: 'predictions' }, want);
  if (p) problems.push(`predictions: ${p}`);
  return problems.length ? problems.join('; ') : null;
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function reprodiffArgs(command, a, b, memoryLimit, tempDir, extra = []) {
  const args = [join(root, 'bin/run.js'), command, a, b, '--key', 'id', '--json', '--memory-limit', memoryLimit, '--temp-dir', tempDir, ...extra];
  if (opts.threads) args.push('--threads', opts.threads);
  return args;
}

function floorArgs(a, b, memoryLimit, tempDir) {
  const args = [join(here, 'floor.js'), a, b, '--key', 'id', '--memory-limit', memoryLimit, '--temp-dir', tempDir];
  if (opts.threads) args.push('--threads', opts.threads);
  return args;
}

const fmtInt = (n) => (n === null || n === undefined ? '' : Math.round(n).toLocaleString('en-US'));
const fmtSec = (n) => (n === null || n === undefined ? '' : n.toFixed(n < 10 ? 2 : 1));

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

function machine() {
  const c = cpus();
  let duckdb = null;
  try {
    duckdb = JSON.parse(readFileSync(join(root, 'node_modules/@duckdb/node-api/package.json'), 'utf8')).version;
  } catch {
    /* not installed */
  }
  return {
    cores: c.length,
    cpu: c[0]?.model ?? null,
    memoryGB: Math.round(totalmem() / 1e9),
    node: process.version,
    duckdbNodeApi: duckdb,
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    rssMeasuredWith: TIME ? 'GNU time %M (max resident set of the child)' : '/proc/<pid>/status VmHWM, polled',
  };
}

async function main() {
  const tempDir = join(dataDir, 'tmp');
  mkdirSync(tempDir, { recursive: true });
  const info = machine();
  const onlyCsv = [...selected].every((r) => r.startsWith('csv-'));
  const anyCsv = [...selected].some((r) => r.startsWith('csv-'));
  log(
    `reprodiff bench: ${onlyCsv ? '' : `${fmtInt(rows)} rows (Parquet)${anyCsv ? ', ' : ''}`}${anyCsv ? `${fmtInt(csvRows)} rows (CSV)` : ''} × ${1 + VALUE_COLUMNS.length} columns; runs: ${[...selected].join(', ')}; repeat ${repeat}`,
  );
  log(`machine: ${info.cores} cores, ${info.memoryGB} GB, load ${info.loadAverageAtStart.join(' ')}`);

  const needsMain = ['floor', 'data-nostats', 'data', 'data-exact', 'data-fpair', 'features', 'oom'].some((r) => selected.has(r));
  const needsFeatures = selected.has('data-fpair') || selected.has('features');
  let pair = null;
  if (needsMain) pair = await ensureData(dataDir, rows, { features: needsFeatures, log });
  let pipeline = null;
  if (selected.has('predictions') || selected.has('check')) pipeline = await ensurePipeline(dataDir, rows, { log });
  const csvRunIds = ['csv-floor', 'csv-data-nostats', 'csv-data', 'csv-data-exact', 'csv-pandas'];
  let csvPair = null;
  if (csvRunIds.some((r) => selected.has(r))) csvPair = await ensureCsv(dataDir, csvRows, { log });
  let spillPair = null;
  if (selected.has('spill')) spillPair = await ensureData(dataDir, spillRows, { features: false, log, memoryLimit: opts['spill-limit'] });

  const results = [];
  const _byId = () => Object.fromEntries(results.map((r) => [r.id, r]));
  const columns = 1 + VALUE_COLUMNS.length;
  const ml = opts['memory-limit'];
  const record = (id, label, n, m, extra) => {
    const r = {
      id,
      label,
      rows: n,
      columns,
      seconds: Math.round(m.seconds * 100) / 100,
      allSeconds: m.allSeconds,
      rowsPerSecond: m.seconds > 0 ? Math.round(n / m.seconds) : null,
      peakRssMB: m.peakRssMB,
      exitCode: m.exitCode,
      ...extra,
    };
    results.push(r);
    // Partial figures survive an interrupted run.
    writeFileSync(join(dataDir, `results-partial-${rows}.json`), `${JSON.stringify({ generatedAt: new Date().toISOString(), runs: results }, null, 2)}\n`);
    return r;
  };

  if (pair) {
    const { research, production, features } = pair.files;
    if (selected.has('floor')) {
      log('floor: bare DuckDB FULL OUTER JOIN count');
      const m = await measureRepeated('floor', floorArgs(research, production, ml, tempDir));
      const out = parseJson(m.stdout.trim().split('\n').pop() ?? '');
      const want = pair.expected.production.differingRows;
      const problem = m.exitCode !== 0 ? `exit ${m.exitCode}: ${m.stderr.trim().split('\n').pop()}` : out?.differingRows !== want ? `counted ${out?.differingRows} ≠ ${want}` : null;
      record('floor', 'floor (bare DuckDB join count)', rows, m, { memoryLimit: ml, querySeconds: out?.querySeconds ?? null, differingRows: out?.differingRows ?? null, check: problem ?? 'ok' });
    }
    const dataRun = (id, label, command, b, expected, extra) => {
      return async () => {
        log(`${id}: reprodiff ${command} ${extra.join(' ')}`.trim());
        const m = await measureRepeated(id, reprodiffArgs(command, research, b, ml, tempDir, extra));
        const report = parseJson(m.stdout);
        const problem = m.exitCode !== 1 ? `exit ${m.exitCode} (expected 1): ${(m.stderr || m.stdout).trim().split('\n').pop()}` : checkRows(report, expected);
        const drifted = report?.stages?.[0]?.summary?.drift?.drifted ?? null;
        return record(id, label, rows, m, { memoryLimit: ml, check: problem ?? 'ok', ...(drifted ? { drifted } : {}) });
      };
    };
    if (selected.has('data-nostats')) await dataRun('data-nostats', 'data --key id --no-stats (row diff)', 'data', production, pair.expected.production, ['--no-stats'])();
    if (selected.has('data')) await dataRun('data', 'data --key id (row diff + default stats)', 'data', production, pair.expected.production, [])();
    if (selected.has('data-exact')) await dataRun('data-exact', 'data --key id --exact-stats (row diff + exact stats)', 'data', production, pair.expected.production, ['--exact-stats'])();
    if (selected.has('data-fpair')) await dataRun('data-fpair', 'data --key id, features pair', 'data', features, pair.expected.features, [])();
    if (selected.has('features')) {
      const r = await dataRun('features', 'features --key id, features pair', 'features', features, pair.expected.features, [])();
      if (r.check === 'ok') {
        const missed = SHIFTED_COLUMNS.filter((c) => !(r.drifted ?? []).includes(c));
        if (missed.length) r.check = `shifted columns not flagged as drifted: ${missed.join(', ')} (drifted: ${(r.drifted ?? []).join(', ') || 'none'})`;
      }
    }
    if (selected.has('oom')) {
      const limit = opts['oom-limit'];
      log(`oom: reprodiff data under --memory-limit ${limit}, must fail with E_MEMORY`);
      const args = reprodiffArgs('data', research, production, limit, tempDir).filter((a) => a !== '--json');
      const m = await measure('oom', args);
      log(`  oom: ${m.seconds.toFixed(2)} s, peak RSS ${m.peakRssMB} MB, exit ${m.exitCode}`);
      const line = m.stderr.trim().split('\n').filter(Boolean).pop() ?? '';
      const problems = [];
      if (m.exitCode !== 2) problems.push(`exit ${m.exitCode} (expected 2)`);
      if (!/E_MEMORY/.test(m.stderr)) problems.push('no E_MEMORY on stderr');
      if (!/--memory-limit|--temp-dir/.test(line)) problems.push('no hint naming --memory-limit / --temp-dir');
      if (/\n\s+at /.test(m.stderr)) problems.push('stack trace on stderr');
      record('oom', `data --memory-limit ${limit} (too small)`, rows, { ...m, allSeconds: [m.seconds] }, { memoryLimit: limit, stderr: line, check: problems.length ? problems.join('; ') : 'ok' });
    }
  }

  if (pipeline) {
    const f = pipeline.files;
    const want = pipeline.expected;
    if (selected.has('predictions')) {
      log('predictions: reprodiff predictions with attribution to the features pair');
      const extra = ['--score-col', 'score', '--label-col', 'label', '--truth-col', 'y', '--features-research', f.featuresResearch, '--features-production', f.featuresProduction];
      const m = await measureRepeated('predictions', reprodiffArgs('predictions', f.predictionsResearch, f.predictionsProduction, ml, tempDir, extra));
      const report = parseJson(m.stdout);
      const problem = m.exitCode !== 1 ? `exit ${m.exitCode} (expected 1): ${(m.stderr || m.stdout).trim().split('\n').pop()}` : checkPredictions(report, want);
      record('predictions', 'predictions --key id, attribution to 20-column features (4-column predictions)', rows, m, {
        memoryLimit: ml,
        check: problem ?? 'ok',
        explanation: predictionMismatch(report)?.message ?? null,
        inputs: { predictions: 'id, score, label, y', features: `${columns} columns` },
      });
    }
    if (selected.has('check')) {
      log(`check: reprodiff check ${relative(root, f.config)} (data, features, splits, predictions)`);
      const m = await measureRepeated('check', [
        join(root, 'bin/run.js'),
        'check',
        f.config,
        '--json',
        '--memory-limit',
        ml,
        '--temp-dir',
        tempDir,
        ...(opts.threads ? ['--threads', opts.threads] : []),
      ]);
      const report = parseJson(m.stdout);
      const problem = m.exitCode !== 1 ? `exit ${m.exitCode} (expected 1): ${(m.stderr || m.stdout).trim().split('\n').pop()}` : checkPipeline(report, pipeline.expected);
      record('check', 'check pipeline.yml: data + features (20 cols) + splits + predictions', rows, m, {
        memoryLimit: ml,
        check: problem ?? 'ok',
        firstBrokenStage: report?.firstBrokenStage ?? null,
        stages: Object.fromEntries((report?.stages ?? []).map((st) => [st.stage, st.status])),
      });
    }
  }

  if (csvPair) {
    const { research, production } = csvPair.files;
    const want = csvPair.expected.production;
    const csvNote = { format: 'csv (pandas to_csv text)' };
    if (selected.has('csv-floor')) {
      log('csv-floor: bare DuckDB read_csv × 2, FULL OUTER JOIN, differing rows per column');
      const m = await measureRepeated('csv-floor', [...floorArgs(research, production, ml, tempDir), '--per-column']);
      const out = parseJson(m.stdout.trim().split('\n').pop() ?? '');
      const problem =
        m.exitCode !== 0 ? `exit ${m.exitCode}: ${m.stderr.trim().split('\n').pop()}` : out?.differingRows !== want.differingRows ? `counted ${out?.differingRows} ≠ ${want.differingRows}` : null;
      record('csv-floor', 'CSV floor (bare DuckDB read_csv + join, per-column counts)', csvRows, m, {
        ...csvNote,
        memoryLimit: ml,
        querySeconds: out?.querySeconds ?? null,
        differingRows: out?.differingRows ?? null,
        check: problem ?? 'ok',
      });
    }
    const csvData = async (id, label, extra) => {
      log(`${id}: reprodiff data ${extra.join(' ')} on the CSV pair`.trim());
      const m = await measureRepeated(id, reprodiffArgs('data', research, production, ml, tempDir, extra));
      const report = parseJson(m.stdout);
      const problem = m.exitCode !== 1 ? `exit ${m.exitCode} (expected 1): ${(m.stderr || m.stdout).trim().split('\n').pop()}` : checkRows(report, want);
      record(id, label, csvRows, m, { ...csvNote, memoryLimit: ml, check: problem ?? 'ok' });
    };
    if (selected.has('csv-data-nostats')) await csvData('csv-data-nostats', 'CSV: data --key id --no-stats (row diff)', ['--no-stats']);
    if (selected.has('csv-data')) await csvData('csv-data', 'CSV: data --key id (row diff + default stats)', []);
    if (selected.has('csv-data-exact')) await csvData('csv-data-exact', 'CSV: data --key id --exact-stats (row diff + exact stats)', ['--exact-stats']);
    if (selected.has('csv-pandas')) {
      const script = join(here, 'pandas_baseline.py');
      let pandas = null;
      try {
        pandas = existsSync(PYTHON) ? execFileSync(PYTHON, ['-c', 'import pandas; print(pandas.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() : null;
      } catch {
        /* no pandas */
      }
      if (!pandas) {
        log(`csv-pandas: skipped (${PYTHON} with pandas not found)`);
      } else {
        log(`csv-pandas: pandas ${pandas} read_csv × 2, outer merge on id, per-column comparison`);
        const m = await measureRepeated('csv-pandas', [script, research, production, '--key', 'id'], { exe: PYTHON });
        const out = parseJson(m.stdout.trim().split('\n').pop() ?? '');
        const problem =
          m.exitCode !== 0 ? `exit ${m.exitCode}: ${m.stderr.trim().split('\n').pop()}` : out?.differingRows !== want.differingRows ? `counted ${out?.differingRows} ≠ ${want.differingRows}` : null;
        record('csv-pandas', `CSV: pandas ${pandas} baseline (read_csv, outer merge, per-column compare)`, csvRows, m, {
          ...csvNote,
          querySeconds: out?.querySeconds ?? null,
          differingRows: out?.differingRows ?? null,
          check: problem ?? 'ok',
        });
      }
    }
  }

  if (spillPair) {
    const limit = opts['spill-limit'];
    const extra = spillStats ? [] : ['--no-stats'];
    log(`spill: reprodiff data on ${fmtInt(spillRows)} rows under --memory-limit ${limit}${spillStats ? '' : ' --no-stats'}`);
    const { research, production } = spillPair.files;
    const m = await measure('spill', reprodiffArgs('data', research, production, limit, tempDir, extra));
    log(`  spill: ${m.seconds.toFixed(1)} s, peak RSS ${m.peakRssMB} MB, exit ${m.exitCode}`);
    const problem = m.exitCode !== 1 ? `exit ${m.exitCode} (expected 1): ${(m.stderr || m.stdout).trim().split('\n').pop()}` : checkRows(parseJson(m.stdout), spillPair.expected.production);
    record(
      'spill',
      `data --key id${spillStats ? '' : ' --no-stats'}, ${fmtInt(spillRows)} rows, --memory-limit ${limit}`,
      spillRows,
      { ...m, allSeconds: [m.seconds] },
      { memoryLimit: limit, check: problem ?? 'ok' },
    );
  }

  evaluate(results, loadPrevious());
  info.loadAverageAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  printTable(results);
  const doc = {
    generatedAt: new Date().toISOString(),
    commit: gitCommit(),
    machine: info,
    dataset: {
      rows,
      columns,
      valueColumns: COLUMNS,
      key: 'id',
      format: 'parquet (zstd)',
      changes: '≈0.1% of value cells changed, ≈0.05% rows removed, 0.05% added',
      featuresShift: `${SHIFTED_COLUMNS.join(', ')} shifted on 5% of rows`,
    },
    repeat,
    runs: results,
  };
  if (save) {
    const merged = mergeResults(loadPrevious(), doc);
    writeFileSync(join(here, 'results.json'), `${JSON.stringify(merged, null, 2)}\n`);
    writeResultsMarkdown(merged);
    log(`wrote ${relative(root, join(here, 'results.json'))} and ${relative(root, join(here, 'RESULTS.md'))}`);
  } else {
    const file = join(dataDir, [...selected].every((r) => r.startsWith('csv-')) ? `results-csv-${csvRows}.json` : `results-${rows}.json`);
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    log(`wrote ${relative(root, file)} (pass --save to update bench/results.json)`);
  }
  const failed = results.filter((r) => r.pass === false);
  process.exitCode = failed.length ? 1 : 0;
}

function loadPrevious() {
  try {
    return JSON.parse(readFileSync(join(here, 'results.json'), 'utf8'));
  } catch {
    return null;
  }
}

/** Keeps earlier runs this invocation did not repeat (e.g. the spill run recorded separately). */
function mergeResults(previous, doc) {
  if (!previous) return doc;
  const fresh = new Set(doc.runs.map((r) => r.id));
  const kept = (previous.runs ?? []).filter((r) => !fresh.has(r.id)).map((r) => ({ ...r, measuredAt: r.measuredAt ?? previous.generatedAt, commit: r.commit ?? previous.commit }));
  const runs = [...doc.runs.map((r) => ({ ...r, measuredAt: doc.generatedAt, commit: doc.commit })), ...kept];
  runs.sort((a, b) => ALL_RUNS.indexOf(a.id) - ALL_RUNS.indexOf(b.id));
  return { ...doc, runs };
}

/** Ratios and PASS/FAIL per target. The floor comes from this invocation, else from results.json at the same size. */
function evaluate(results, previous) {
  const find = (id) => results.find((r) => r.id === id) ?? (previous?.runs ?? []).find((r) => r.id === id && r.rows === rows && r.check === 'ok');
  const findCsv = (id) => results.find((r) => r.id === id) ?? (previous?.runs ?? []).find((r) => r.id === id && r.rows === csvRows && r.check === 'ok');
  for (const r of results) {
    const targets = [];
    const ok = r.check === 'ok';
    const csv = r.id.startsWith('csv-');
    const floor = csv ? findCsv('csv-floor') : find('floor');
    if (floor && !['floor', 'csv-floor', 'csv-pandas', 'spill', 'oom', 'predictions', 'check'].includes(r.id)) {
      r.ratioToFloor = Math.round((r.seconds / floor.seconds) * 100) / 100;
      if (!results.includes(floor)) r.floorFrom = `results.json (${floor.measuredAt ?? 'earlier'})`;
    }
    const rss = () => targets.push({ target: `peak RSS ≤ ${RSS_LIMIT_MB} MB`, pass: r.peakRssMB <= RSS_LIMIT_MB });
    if (r.id === 'data-nostats') {
      if (floor) targets.push({ target: '≤ 1.3× floor', pass: r.ratioToFloor <= 1.3 });
      rss();
    } else if (r.id === 'data') {
      if (floor) targets.push({ target: '≤ 3× floor', pass: r.ratioToFloor <= 3 });
      rss();
    } else if (r.id === 'data-exact') {
      if (floor) targets.push({ target: '≤ 5× floor', pass: r.ratioToFloor <= 5 });
      rss();
    } else if (r.id === 'csv-data-exact') {
      rss();
    } else if (r.id === 'csv-data-nostats') {
      if (floor) targets.push({ target: '≤ 1.3× CSV floor', pass: r.ratioToFloor <= 1.3 });
      rss();
    } else if (r.id === 'csv-data') {
      if (floor) targets.push({ target: '≤ 2× CSV floor', pass: r.ratioToFloor <= 2 });
      const pandas = findCsv('csv-pandas');
      if (pandas && pandas.check === 'ok') {
        r.speedupOverPandas = Math.round((pandas.seconds / r.seconds) * 100) / 100;
        r.rssShareOfPandas = Math.round((r.peakRssMB / pandas.peakRssMB) * 100) / 100;
        targets.push({ target: '≥ 3× faster than pandas', pass: r.speedupOverPandas >= 3 });
        targets.push({ target: '≤ 1/2 pandas peak RSS', pass: r.rssShareOfPandas <= 0.5 });
      }
      rss();
    } else if (r.id === 'data-fpair') {
      rss();
    } else if (r.id === 'features') {
      const ref = find('data-fpair');
      if (ref) {
        r.ratioToData = Math.round((r.seconds / ref.seconds) * 100) / 100;
        targets.push({ target: '≤ 2× data (same pair)', pass: r.ratioToData <= 2 });
      }
      rss();
    } else if (r.id === 'predictions' || r.id === 'check') {
      rss();
    } else if (r.id === 'spill') {
      targets.push({ target: `completes under ${r.memoryLimit}`, pass: ok });
    } else if (r.id === 'oom') {
      targets.push({ target: 'exit 2, E_MEMORY + hint', pass: ok });
    }
    if (r.id === 'predictions') targets.push({ target: 'mismatch attributed to a score feature', pass: ok });
    else if (r.id === 'check') targets.push({ target: 'all 4 stages compared, counts and attribution', pass: ok });
    else if (r.id !== 'spill' && r.id !== 'oom') targets.push({ target: 'correct counts', pass: ok });
    r.targets = targets;
    r.pass = targets.every((t) => t.pass);
  }
}

function tableRows(runs) {
  return runs.map((r) => [
    r.id,
    fmtInt(r.rows),
    String(r.columns),
    fmtSec(r.seconds),
    r.id === 'oom' ? '' : fmtInt(r.rowsPerSecond),
    fmtInt(r.peakRssMB),
    r.ratioToFloor !== undefined ? `${r.ratioToFloor.toFixed(2)}×` : r.ratioToData !== undefined ? '' : r.id === 'floor' || r.id === 'csv-floor' ? '1.00×' : '',
    r.targets
      .map(
        (t) =>
          `${t.target}${r.id === 'features' && t.target.startsWith('≤ 2×') ? ` (${r.ratioToData}×)` : ''}${t.target.includes('pandas') ? ` (${t.target.includes('RSS') ? r.rssShareOfPandas : r.speedupOverPandas})` : ''}: ${t.pass ? 'PASS' : 'FAIL'}`,
      )
      .join('; '),
  ]);
}

const HEAD = ['run', 'rows', 'cols', 'seconds', 'rows/s', 'peak RSS MB', '× floor', 'targets'];

function printTable(results) {
  const body = tableRows(results);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i >= 1 && i <= 6 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  process.stdout.write(`\n${line(HEAD)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${body.map(line).join('\n')}\n`);
  for (const r of results) if (r.check !== 'ok') process.stdout.write(`  ${r.id}: ${r.check}\n`);
  process.stdout.write(
    `\n${
      results.every((r) => r.pass)
        ? 'all targets met'
        : `FAILED: ${results
            .filter((r) => !r.pass)
            .map((r) => r.id)
            .join(', ')}`
    }\n`,
  );
}

/** The hand-written diary under RESULTS.md's generated tables: kept when the tables are rewritten. */
const DIARY_MARKER = '<!-- diary: everything below this line is kept by bench/run.js and edited by hand -->';

function writeResultsMarkdown(doc) {
  const file = join(here, 'RESULTS.md');
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = old.indexOf(DIARY_MARKER);
  const diary = at >= 0 ? old.slice(at) : `${DIARY_MARKER}\n`;
  writeFileSync(file, `${markdown(doc).trimEnd()}\n\n${diary}`);
}
function markdown(doc) {
  const m = doc.machine;
  const lines = [
    '<!-- generated by `npm run bench` (bench/run.js); do not edit by hand -->',
    `Benchmark: ${fmtInt(doc.dataset.rows)} rows × ${doc.dataset.columns} columns of Parquet per side (integers, doubles, strings, timestamps; ${doc.dataset.changes}), keyed on \`id\`. ` +
      `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGB} GB RAM, Node ${m.node}, @duckdb/node-api ${m.duckdbNodeApi}; load average ${m.loadAverageAtStart.join(' / ')} at the start of the latest invocation (one shared machine: the same run varies by up to ±20% between invocations; each row's commit and time are in results.json). ` +
      `Each figure is one run${doc.repeat > 1 ? ` (median of ${doc.repeat})` : ''} in its own process: wall seconds and peak RSS of the whole process. ` +
      'The floor is one bare DuckDB query that full-outer-joins the two files on the key and counts differing rows.',
    '',
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((_h, i) => (i >= 1 && i <= 6 ? '---:' : '---')).join('|')}|`,
    ...tableRows(doc.runs).map((r) => `| ${r.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`),
    '',
    ...doc.runs.filter((r) => r.id === 'oom').map((r) => `Too-small limit (\`--memory-limit ${r.memoryLimit}\`): exit ${r.exitCode}, stderr: \`${r.stderr}\``),
    ...doc.runs
      .filter((r) => r.id === 'predictions' && r.explanation)
      .map((r) => `Predictions (\`id, score, label, y\` per side; \`rows\` and \`cols\` are the 20-column features pair used for attribution): \`\` ${r.explanation} \`\``),
    ...doc.runs
      .filter((r) => r.id === 'check' && r.stages)
      .map(
        (r) =>
          `Check (\`bench/data/pipeline-N.yml\`: data, features, splits, predictions): ${Object.entries(r.stages)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}; first broken: ${r.firstBrokenStage}`,
      ),
    ...doc.runs.filter((r) => r.check !== 'ok' && r.id !== 'oom').map((r) => `- ${r.id}: ${r.check}`),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

if (opts.render) {
  // Rewrites RESULTS.md from results.json without running anything.
  writeResultsMarkdown(loadPrevious());
} else
  main().catch((e) => {
    process.stderr.write(`bench: ${e?.stack ?? e}\n`);
    process.exit(2);
  });
