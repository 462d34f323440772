#!/usr/bin/env node
// How much of each input file is read: runs one reprodiff command under strace and, for every file named on
// the command line or in the config, counts its opens and the bytes read through them, as a multiple of the
// file's size (issue 8: each input is scanned by the stages that need it, not once per column). DuckDB opens
// a Parquet file once per query, and a query reads only the column chunks it needs: a per-column query adds an
// open but only that column's bytes, so "× size" is the number of whole-file passes. Row counts do not change
// the plan (the wide-table path depends on the column count), so a small pair is enough.
//   node bench/scans.js [--rows 200000] [--max N] [--max-passes P] -- check bench/data/pipeline-200000.yml --json
//   node bench/scans.js --rows 200000            # default: check on the generated pipeline-N.yml
// Exits 1 when some file is opened more than --max times or read more than --max-passes times its size.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensurePipeline } from './generate.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const dataDir = join(here, 'data');
const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: { rows: { type: 'string', default: '200000' }, max: { type: 'string' }, 'max-passes': { type: 'string' }, 'memory-limit': { type: 'string', default: '3GB' } },
});
if (!existsSync('/usr/bin/strace') && spawnSync('which', ['strace']).status !== 0) {
  process.stderr.write('scans: strace is not installed\n');
  process.exit(2);
}
const tempDir = join(dataDir, 'tmp');
mkdirSync(tempDir, { recursive: true });
let argv = positionals;
if (!argv.length) {
  const rows = Number(o.rows);
  const { files } = await ensurePipeline(dataDir, rows, { log: (m) => process.stderr.write(`${m}\n`) });
  argv = ['check', files.config, '--json'];
}
argv = [...argv, '--memory-limit', o['memory-limit'], '--temp-dir', tempDir];

// The inputs: existing files among the arguments, plus the files a .yml config names (relative to it).
const inputs = new Set();
for (const a of argv) {
  const p = resolve(root, a);
  if (!existsSync(p) || p === tempDir) continue;
  if (/\.ya?ml$/.test(p)) {
    for (const m of readFileSync(p, 'utf8').matchAll(/^\s+\w+:\s*(\S+\.(?:parquet|csv|tsv|json|ndjson|arrow))\s*$/gm)) inputs.add(resolve(dirname(p), m[1]));
  } else inputs.add(p);
}

const log = join(dataDir, 'runs', 'scans.strace');
mkdirSync(dirname(log), { recursive: true });
rmSync(log, { force: true });
const started = performance.now();
const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat,open,read,pread64,preadv,close', '-o', log, process.execPath, join(root, 'bin/run.js'), ...argv], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 1 << 30,
});
const seconds = (performance.now() - started) / 1000;
const counts = new Map([...inputs].map((f) => [f, 0]));
const bytes = new Map([...inputs].map((f) => [f, 0]));
// Bytes read per input, through the fds its opens returned (threads share them; a call strace splits into
// "<unfinished ...>" and "<... resumed>" is joined by thread id first).
const fds = new Map();
const pending = new Map();
for (const raw of readFileSync(log, 'utf8').split('\n')) {
  const tid = /^(\d+)\s+/.exec(raw)?.[1];
  let line = raw;
  if (raw.endsWith('<unfinished ...>')) {
    pending.set(tid, raw.slice(0, -'<unfinished ...>'.length));
    continue;
  }
  const resumed = /<\.\.\. \w+ resumed>(.*)$/.exec(raw);
  if (resumed) line = (pending.get(tid) ?? '') + resumed[1];
  const open = /open(?:at)?\((?:[^,]+, )?"([^"]+)".*\) = (\d+)$/.exec(line);
  if (open) {
    const p = resolve(root, open[1]);
    if (counts.has(p)) counts.set(p, counts.get(p) + 1);
    fds.set(open[2], p);
    continue;
  }
  const io = /\s(?:read|pread64|preadv)\((\d+),.*\) = (\d+)$/.exec(line);
  if (io) {
    const p = fds.get(io[1]);
    if (p && bytes.has(p)) bytes.set(p, bytes.get(p) + Number(io[2]));
    continue;
  }
  const close = /\sclose\((\d+)\)/.exec(line);
  if (close) fds.delete(close[1]);
}
process.stdout.write(`reprodiff ${argv.join(' ')}\nexit ${r.status}, ${seconds.toFixed(1)} s under strace\n\n`);
process.stdout.write('opens   bytes read  file size  × size  file\n');
for (const [f, n] of [...counts].sort((a, b) => b[1] - a[1])) {
  const size = statSync(f).size;
  process.stdout.write(`${String(n).padStart(5)}  ${String(bytes.get(f)).padStart(11)}  ${String(size).padStart(9)}  ${(bytes.get(f) / size).toFixed(2).padStart(6)}  ${basename(f)}\n`);
}
const maxPasses = o['max-passes'] === undefined ? null : Number(o['max-passes']);
if (maxPasses !== null) {
  const over = [...bytes].filter(([f, n]) => n > maxPasses * statSync(f).size);
  process.stdout.write(over.length ? `\nFAIL: read more than ${maxPasses}× its size: ${over.map(([f]) => basename(f)).join(', ')}\n` : `\nok: every input read at most ${maxPasses}× its size\n`);
  if (over.length) process.exitCode = 1;
}
const max = o.max === undefined ? null : Number(o.max);
if (max !== null) {
  const over = [...counts].filter(([, n]) => n > max);
  process.stdout.write(over.length ? `\nFAIL: opened more than ${max} times: ${over.map(([f]) => basename(f)).join(', ')}\n` : `\nok: every input opened at most ${max} times\n`);
  if (over.length) process.exitCode = 1;
}
