/** `rescaled`: one scale and offset per column, with a moved fill value apart; rounding noise is not a rescale. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJson } from '../helpers/cli.js';
import { assertValidReport } from '../helpers/schema.js';

const work = mkdtempSync(join(tmpdir(), 'reprodiff-affine-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Writes research and production CSVs with an id and one column x, production made by `f`. */
function pair(name: string, xs: (number | null)[], f: (x: number | null, i: number) => number | null): [string, string] {
  const a = join(work, `${name}_r.csv`);
  const b = join(work, `${name}_p.csv`);
  writeFileSync(a, `id,x\n${xs.map((x, i) => `${i},${x ?? ''}`).join('\n')}\n`);
  writeFileSync(b, `id,x\n${xs.map((x, i) => `${i},${f(x, i) ?? ''}`).join('\n')}\n`);
  return [a, b];
}

const xs = Array.from({ length: 200 }, (_v, i) => Math.round(Math.sin(i * 1.7) * 1000) / 100 + 20);

describe('rescaled', () => {
  it('°C → °F is one scale and offset, with a and b in the evidence', async () => {
    const r = await runJson(['data', ...pair('unit', xs, (x) => (x! * 9) / 5 + 32), '--key', 'id']);
    assertValidReport(r.json);
    const [f] = r.json.findings.filter((x: any) => x.cause === 'rescaled');
    expect(f).toMatchObject({ columns: ['x'], rowsAffected: 200 });
    expect(f.evidence.scale).toBeCloseTo(1.8, 9);
    expect(f.evidence.offset).toBeCloseTo(32, 9);
    expect(r.json.findings.some((x: any) => x.cause === 'value_changed')).toBe(false);
  });

  it('a std with ddof 1 instead of 0 is one factor, no offset', async () => {
    const k = Math.sqrt(199 / 200);
    const r = await runJson(['data', ...pair('ddof', xs, (x) => (x! - 20) * k), '--key', 'id']);
    const research = pair('ddof0', xs, (x) => x! - 20);
    const r2 = await runJson(['data', research[1], pair('ddof1', xs, (x) => (x! - 20) * k)[1], '--key', 'id']);
    expect(r.json.findings.some((x: any) => x.cause === 'rescaled')).toBe(true);
    const [f] = r2.json.findings.filter((x: any) => x.cause === 'rescaled');
    expect(f.evidence.scale).toBeCloseTo(k, 12);
    expect(Math.abs(f.evidence.offset)).toBeLessThan(1e-9);
  });

  it('a refitted scaler after a refitted fill value: the fill rows are a moved constant, apart from the line', async () => {
    const raw = xs.map((x, i) => (i % 10 === 3 ? null : x));
    const scaled = (fill: number, mean: number, sd: number) => raw.map((x) => ((x ?? fill) - mean) / sd);
    const a = scaled(20, 20.1, 7.2);
    const b = scaled(21, 20.3, 7.1);
    const r = await runJson(['features', ...pair('fill', a, (_x, i) => b[i]!), '--key', 'id']);
    const rescaled = r.json.findings.find((x: any) => x.cause === 'rescaled');
    const moved = r.json.findings.find((x: any) => x.cause === 'null_handling');
    expect(rescaled.rowsAffected).toBe(180);
    expect(moved).toMatchObject({ rowsAffected: 20, columns: ['x'] });
    expect(moved.evidence).toMatchObject({ fittedConstant: true });
    expect(moved.evidence.researchValue).toBeCloseTo((20 - 20.1) / 7.2, 12);
    expect(moved.evidence.productionValue).toBeCloseTo((21 - 20.3) / 7.1, 12);
  });

  it('rounding is not a rescale: precision loss keeps its name', async () => {
    const fine = xs.map((x, i) => x + Math.abs(Math.sin(i * 0.37)) * 0.00987654321);
    const r = await runJson(['data', ...pair('round', fine, (x) => Math.round(x! * 1000) / 1000), '--key', 'id']);
    expect(r.json.findings.some((x: any) => x.cause === 'rescaled')).toBe(false);
  });

  it('unrelated new values are not a rescale', async () => {
    const r = await runJson(['data', ...pair('noise', xs, (x, i) => x! + Math.cos(i * 3.1)), '--key', 'id']);
    expect(r.json.findings.some((x: any) => x.cause === 'rescaled')).toBe(false);
    expect(r.json.findings.some((x: any) => x.cause === 'value_changed')).toBe(true);
  });
});
