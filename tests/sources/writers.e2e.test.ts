import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { breaking, runJson } from '../helpers/cli.js';
import { assertValidReport } from '../helpers/schema.js';

interface Pair {
  readonly name: string;
  readonly research: string;
  readonly production: string;
  readonly args: readonly string[];
  readonly kind: 'equivalent' | 'break';
  readonly causes?: readonly string[];
  readonly notes?: readonly string[];
  readonly breakColumns?: readonly string[];
}

const DIR = 'tests/fixtures/writers';
const manifest = JSON.parse(readFileSync(`${DIR}/manifest.json`, 'utf8')) as { pairs: Pair[] };

/** Every pair of the writer corpus through the built CLI: lossless spellings are equal, real breaks are named. */
describe('data: writer variants (tests/fixtures/writers/manifest.json)', () => {
  it.each(manifest.pairs.map((p) => [p.name, p] as const))('%s', async (_name, p) => {
    const r = await runJson(['data', `${DIR}/${p.research}`, `${DIR}/${p.production}`, ...p.args]);
    assertValidReport(r.json);
    const causes = r.json.findings.map((f: { cause: string }) => f.cause);
    if (p.kind === 'equivalent') {
      expect(breaking(r.json)).toEqual([]);
      expect(r.json.verdict).toBe('equal');
      expect(r.code).toBe(0);
    } else {
      expect(r.json.verdict).toBe('different');
      expect(r.code).toBe(1);
      expect(
        breaking(r.json)
          .map((f) => f.cause)
          .filter((c) => p.causes!.includes(c)).length,
      ).toBeGreaterThan(0);
      const named = new Set((breaking(r.json) as unknown as { columns: string[] }[]).flatMap((f) => f.columns));
      if (p.breakColumns) expect([...named].filter((c) => !p.breakColumns!.includes(c))).toEqual([]);
    }
    for (const note of p.notes ?? []) {
      expect(r.json.findings.filter((f: { cause: string; severity: string }) => f.cause === note && f.severity === 'info').length, note).toBeGreaterThan(0);
    }
    expect(causes).not.toContain('no_common_rows');
  });
});
