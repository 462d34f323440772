/**
 * The layout docs/ARCHITECTURE.md promises, checked on the code: sources → engine → comparators → findings →
 * reporters, no import cycles between files, and no arrow back up the pipeline (a comparator never imports a
 * reporter or a command's runner). Type-only imports are left out: they vanish at build time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Each file's value imports of our own modules, as repository paths. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles('src')) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+['"](\.[^'"]+)['"]/gms)) {
      deps.push(normalize(join(dirname(file), m[1]!)).replace(/\.js$/, '.ts'));
    }
    graph.set(file, deps);
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

const folderOf = (file: string) => relative('src', dirname(file)).split('/')[0] || '.';

/** Layers that sit upstream of the reporters and the command runners: they return data, never render it. */
const UPSTREAM = ['sources', 'engine', 'compare', 'findings', 'stats', 'env', 'text', 'config', 'check', 'snapshot', 'stages'];
/** Layers only the entry points (commands, src/run, src/cli, the library index) may import. */
const DOWNSTREAM = ['report', 'run', 'cli'];

describe('architecture', () => {
  const graph = importGraph();

  it('has no import cycle between files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no arrow back up the pipeline: upstream layers never import reporters, runners or the CLI', () => {
    const back = [...graph].flatMap(([file, deps]) => (UPSTREAM.includes(folderOf(file)) ? deps.filter((d) => DOWNSTREAM.includes(folderOf(d))).map((d) => `${file} → ${d}`) : []));
    expect(back).toEqual([]);
  });

  it('keeps src/text and src/env leaves (they import nothing of ours outside their folder)', () => {
    const leaves = [...graph].flatMap(([file, deps]) => (['text', 'env'].includes(folderOf(file)) ? deps.filter((d) => folderOf(d) !== folderOf(file)).map((d) => `${file} → ${d}`) : []));
    expect(leaves).toEqual([]);
  });

  it('has no pair of folders importing each other', () => {
    const folders = new Map<string, Set<string>>();
    for (const [file, deps] of graph) {
      for (const d of deps) {
        const [a, b] = [dirname(file), dirname(d)];
        if (a !== b && !b.startsWith(`${a}/`) && !a.startsWith(`${b}/`)) folders.set(a, (folders.get(a) ?? new Set()).add(b));
      }
    }
    const both = [...folders].flatMap(([a, bs]) => [...bs].filter((b) => a < b && folders.get(b)?.has(a)).map((b) => `${a} ↔ ${b}`));
    expect(both).toEqual([]);
  });
});
