import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runData } from '../../src/run/data.js';

/**
 * --ignore-spaces and --ignore-case forgive only whitespace at the ends and letter case (#20): random text tables,
 * production padded and re-cased at random, are equal under both options, and one planted real change (an edited
 * letter, an added letter, a space inside the value, a value gone) is never hidden, with and without a key.
 * Runs through the library (runData), as tests/data/planted.properties.test.ts does.
 */
const dir = mkdtempSync(join(tmpdir(), 'reprodiff-normalise-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

interface Row {
  code: string;
  name: string;
  n: number;
}

const word = fc.array(fc.constantFrom(...'abcdeXYZé'.split('')), { minLength: 1, maxLength: 6 }).map((cs) => cs.join(''));
const nameArb = fc.tuple(word, fc.option(word, { nil: undefined })).map(([a, b]) => (b === undefined ? a : `${a} ${b}`));
const tableArb = fc.array(fc.record({ name: nameArb, n: fc.integer({ min: 0, max: 999 }) }), { minLength: 4, maxLength: 20 }).map((rows) => rows.map((r, i) => ({ code: `k${i + 1}`, ...r }) as Row));
/** Per row: padding of key and name (left, right) and whether the name is re-cased. */
const noiseArb = fc.array(
  fc.record({ keyPad: fc.constantFrom('', ' ', '  ', '\t'), left: fc.constantFrom('', ' ', '\t '), right: fc.constantFrom('', ' ', '   '), recase: fc.constantFrom('same', 'upper', 'lower', 'swap') }),
  { minLength: 20, maxLength: 20 },
);

type Change = 'letter' | 'added' | 'inner-space' | 'gone';
const CHANGES: Change[] = ['letter', 'added', 'inner-space', 'gone'];

const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
function writeCsv(rows: readonly (Omit<Row, 'name'> & { name: string | null })[]): string {
  const path = join(dir, `t${++fileNo}.csv`);
  writeFileSync(path, `code,name,n\n${rows.map((r) => `${quote(r.code)},${r.name === null ? '' : quote(r.name)},${r.n}`).join('\n')}\n`);
  return path;
}

function recase(s: string, how: string): string {
  if (how === 'upper') return s.toUpperCase();
  if (how === 'lower') return s.toLowerCase();
  if (how === 'swap') return [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
  return s;
}

/** A real change of a name: different after trimming and case folding. */
function change(name: string, kind: Change): string | null {
  switch (kind) {
    case 'letter': {
      const c = name[0]!.toLowerCase() === 'q' ? 'r' : 'q';
      return c + name.slice(1);
    }
    case 'added':
      return `${name}q`;
    case 'inner-space':
      return name.length > 1 ? `${name.slice(0, 1)} ${name.slice(1)}` : `${name} q`;
    case 'gone':
      return null;
  }
}

const options = { read: { header: true }, ignoreSpaces: true, ignoreCase: true } as const;
type Report = Awaited<ReturnType<typeof runData>>;
const show = (r: Report) => JSON.stringify(r.findings.filter((f) => f.severity !== 'info').map((f) => [f.cause, f.columns, f.rowsAffected]));

describe('--ignore-spaces --ignore-case forgive only ends and case', () => {
  it('padded and re-cased production is equal under both options (and different without them when anything moved)', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, noiseArb, async (rows, noise) => {
        const a = writeCsv(rows);
        const noisy = rows.map((r, i) => ({ ...r, code: `${noise[i]!.keyPad}${r.code}${noise[i]!.keyPad}`, name: `${noise[i]!.left}${recase(r.name, noise[i]!.recase)}${noise[i]!.right}` }));
        const b = writeCsv(noisy.reverse());
        for (const key of [{ key: ['code'] }, {}]) {
          const r = await runData(a, b, { ...options, ...key });
          expect(r.verdict, show(r)).toBe('equal');
        }
        const moved = noisy.some((x) => !rows.some((y) => y.code === x.code && y.name === x.name));
        if (moved) expect((await runData(a, b, { read: { header: true }, key: ['code'] })).verdict).toBe('different');
      }),
      { numRuns: 8, seed: Number(process.env.PROP_SEED ?? 2020), endOnFailure: true },
    );
  });

  for (const kind of CHANGES) {
    it(`a planted real change (${kind}) is never hidden`, async () => {
      await fc.assert(
        fc.asyncProperty(tableArb, noiseArb, fc.nat(), async (rows, noise, pick) => {
          const i = pick % rows.length;
          const a = writeCsv(rows);
          const noisy = rows.map((r, j) => {
            const name = j === i ? change(r.name, kind) : r.name;
            return { ...r, code: `${noise[j]!.keyPad}${r.code}`, name: name === null ? null : `${noise[j]!.left}${recase(name, noise[j]!.recase)}${noise[j]!.right}` };
          });
          const b = writeCsv(noisy);
          const keyed = await runData(a, b, { ...options, key: ['code'] });
          expect(keyed.verdict, show(keyed)).toBe('different');
          const named = keyed.findings.filter((f) => f.severity !== 'info' && f.columns.includes('name'));
          expect(named.length, show(keyed)).toBeGreaterThan(0);
          expect(
            named.every((f) => f.rowsAffected === 1 || f.rowsAffected === null),
            show(keyed),
          ).toBe(true);
          const keyless = await runData(a, b, options);
          expect(keyless.verdict, show(keyless)).toBe('different');
        }),
        { numRuns: 5, seed: Number(process.env.PROP_SEED ?? 2020), endOnFailure: true },
      );
    });
  }
});
