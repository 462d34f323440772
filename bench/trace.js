#!/usr/bin/env node
// Where the time goes: runs `data` or `features` through the library (dist/, so `npm run build` first)
// with every engine query timed, and prints the queries by time. Optional EXPLAIN ANALYZE of the slowest.
//   node bench/trace.js data|features A B [--key id] [--no-stats] [--memory-limit 3GB] [--temp-dir DIR] [--explain N] [--top 25] [--show-sql]
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { Engine } = await import(join(root, 'dist/src/engine/engine.js'));
const { runData, runFeatures } = await import(join(root, 'dist/src/run/data.js'));

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    key: { type: 'string', default: 'id' },
    'no-stats': { type: 'boolean', default: false },
    'memory-limit': { type: 'string', default: '3GB' },
    'temp-dir': { type: 'string', default: join(root, 'bench/data/tmp') },
    threads: { type: 'string' },
    explain: { type: 'string', default: '0' },
    'show-sql': { type: 'boolean', default: false },
    top: { type: 'string', default: '25' },
  },
});
const [command, a, b] = positionals;
if (!['data', 'features'].includes(command) || !a || !b) {
  process.stderr.write('usage: node bench/trace.js data|features A B [--key id] [--no-stats] [--explain N]\n');
  process.exit(2);
}
mkdirSync(o['temp-dir'], { recursive: true });

const trace = [];
const explainTop = Number(o.explain);
let engineRef = null;
for (const method of ['run', 'all']) {
  const original = Engine.prototype[method];
  Engine.prototype[method] = async function timed(sql) {
    engineRef = this;
    const t = performance.now();
    try {
      return await original.call(this, sql);
    } finally {
      const s = (performance.now() - t) / 1000;
      if (s >= 0.005) trace.push({ seconds: s, sql });
    }
  };
}

const started = performance.now();
const options = {
  key: o.key ? o.key.split(',') : undefined,
  stats: !o['no-stats'],
  engine: { memoryLimit: o['memory-limit'], tempDir: o['temp-dir'], threads: o.threads ? Number(o.threads) : undefined },
};
// EXPLAIN ANALYZE needs the engine open: re-run the slowest statements inside the comparison's engine.
const explained = [];
const originalClose = Engine.prototype.close;
Engine.prototype.close = function close() {
  if (explainTop > 0) {
    const top = [...trace].sort((x, y) => y.seconds - x.seconds).slice(0, explainTop);
    explained.push(...top.map((t) => ({ sql: t.sql, engine: this })));
    // Keep open until the explains ran (below).
    return undefined;
  }
  return originalClose.call(this);
};
const report = await (command === 'data' ? runData : runFeatures)(a, b, options);
const total = (performance.now() - started) / 1000;
for (const { sql, engine } of explained) {
  const stmt = sql.replace(/^CREATE TEMP TABLE \S+ AS/i, '');
  const rows = await engine.all(`EXPLAIN ANALYZE ${stmt}`);
  process.stdout.write(`\n=== EXPLAIN ANALYZE: ${oneLine(sql).slice(0, 100)}\n${rows.map((r) => r.explain_value).join('\n')}\n`);
}
if (explained.length) originalClose.call(explained[0].engine);

function oneLine(s) {
  return s.replace(/\s+/g, ' ').trim();
}
const sum = trace.reduce((acc, t) => acc + t.seconds, 0);
process.stdout.write(`\n${command} ${a} ${b}: ${total.toFixed(1)} s in all, ${sum.toFixed(1)} s in ${trace.length} queries ≥ 5 ms; verdict ${report.verdict}\n`);
for (const t of [...trace].sort((x, y) => y.seconds - x.seconds).slice(0, Number(o.top))) {
  process.stdout.write(`${t.seconds.toFixed(2).padStart(8)} s  ${o['show-sql'] ? t.sql : oneLine(t.sql).slice(0, 150)}\n`);
}
void engineRef;
