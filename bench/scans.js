#!/usr/bin/env node
// How often each input file is read: runs one reprodiff command under `strace -f -e trace=openat` and
// counts the opens of every file named on the command line or in the config (issue 8: each input is
// scanned by the stages that need it, not once per column). DuckDB opens a Parquet file once per scan
// (and once for each schema / metadata look-up), so opens are an upper bound on scans. Row counts do not
// change the plan (the wide-table path depends on the column count), so a small pair is enough.
//   node bench/scans.js [--rows 200000] [--max N] -- check bench/data/pipeline-200000.yml --json
//   node bench/scans.js --rows 200000            # default: check on the generated pipeline-N.yml
// Exits 1 when --max is given and some file is opened more often than that.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensurePipeline } from './generate.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const dataDir = join(here, 'data');
const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: { rows: { type: 'string', default: '200000' }, max: { type: 'string' }, 'memory-limit': { type: 'string', default: '3GB' } },
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
const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat,open', '-o', log, process.execPath, join(root, 'bin/run.js'), ...argv], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
const seconds = (performance.now() - started) / 1000;
const counts = new Map([...inputs].map((f) => [f, 0]));
for (const line of readFileSync(log, 'utf8').split('\n')) {
  const m = /open(?:at)?\((?:[^,]+, )?"([^"]+)"/.exec(line);
  if (!m || /= -1 /.test(line)) continue;
  const p = resolve(root, m[1]);
  if (counts.has(p)) counts.set(p, counts.get(p) + 1);
}
process.stdout.write(`reprodiff ${argv.join(' ')}\nexit ${r.status}, ${seconds.toFixed(1)} s under strace\n\nopens  file\n`);
for (const [f, n] of [...counts].sort((a, b) => b[1] - a[1])) process.stdout.write(`${String(n).padStart(5)}  ${basename(f)}\n`);
const max = o.max === undefined ? null : Number(o.max);
if (max !== null) {
  const over = [...counts].filter(([, n]) => n > max);
  process.stdout.write(over.length ? `\nFAIL: opened more than ${max} times: ${over.map(([f]) => basename(f)).join(', ')}\n` : `\nok: every input opened at most ${max} times\n`);
  process.exitCode = over.length ? 1 : 0;
}
