import { describe, expect, it } from 'vitest';
import { matchSchemas } from '../../src/compare/data/columns.js';
import { differsSql } from '../../src/compare/data/keyed.js';
import { keySql, valueSql } from '../../src/compare/shared/normalise.js';

/** The SQL of the text options (#20) and the case-insensitive column matching, exactly. */
const text = { kind: 'string' } as const;
const SPACES = "' \t\n\r\u000b\u000c\u00a0'";

describe('normalise.ts', () => {
  it('off, or on a non-text column: the expression unchanged (output byte-identical to before)', () => {
    expect(valueSql('a.v0', text, undefined)).toBe('a.v0');
    expect(valueSql('a.v0', text, {})).toBe('a.v0');
    expect(valueSql('a.v0', { kind: 'float' }, { ignoreSpaces: true, ignoreCase: true })).toBe('a.v0');
    expect(keySql('a.k0', text, { ignoreCase: true })).toBe('a.k0');
  });

  it('on: trim then fold values; keys trimmed only', () => {
    expect(valueSql('a.v0', text, { ignoreSpaces: true })).toBe(`trim(a.v0, ${SPACES})`);
    expect(valueSql('a.v0', text, { ignoreCase: true })).toBe('lower(a.v0)');
    expect(valueSql('a.v0', text, { ignoreSpaces: true, ignoreCase: true })).toBe(`lower(trim(a.v0, ${SPACES}))`);
    expect(keySql('CAST("id" AS VARCHAR)', text, { ignoreSpaces: true, ignoreCase: true })).toBe(`trim(CAST("id" AS VARCHAR), ${SPACES})`);
  });

  it('differsSql compares the normalised values', () => {
    const [pair] = matchSchemas([{ name: 'city', type: 'VARCHAR' }], [{ name: 'city', type: 'VARCHAR' }]).pairs;
    expect(differsSql('a.v0', 'b.v0', pair!)).toBe('(a.v0 IS DISTINCT FROM b.v0)');
    expect(differsSql('a.v0', 'b.v0', pair!, undefined, { ignoreCase: true })).toBe('(lower(a.v0) IS DISTINCT FROM lower(b.v0))');
  });
});

describe('matchSchemas: names differing only in case', () => {
  const cols = (...names: string[]) => names.map((name) => ({ name, type: 'DOUBLE' }));

  it('Amount vs amount pair, research name kept; nothing missing or extra', () => {
    const m = matchSchemas(cols('id', 'Amount'), cols('id', 'amount'));
    expect(m.pairs.map((p) => [p.name, p.productionName])).toEqual([
      ['id', 'id'],
      ['Amount', 'amount'],
    ]);
    expect(m.onlyResearch).toEqual([]);
    expect(m.onlyProduction).toEqual([]);
    expect(m.caseOnly).toEqual([{ research: 'Amount', production: 'amount' }]);
    expect(m.orderDiffers).toBe(false);
  });

  it('no case difference: no caseOnly or caseAmbiguous field (summaries unchanged)', () => {
    const m = matchSchemas(cols('id', 'x'), cols('x', 'id'));
    expect('caseOnly' in m).toBe(false);
    expect('caseAmbiguous' in m).toBe(false);
  });

  it('two candidates on one side: left apart, ambiguity returned', () => {
    const m = matchSchemas(cols('id', 'Score', 'SCORE_1'), cols('id', 'score'), {}, { research: { SCORE_1: 'SCORE' } });
    expect(m.pairs.map((p) => p.name)).toEqual(['id']);
    expect(m.caseAmbiguous).toEqual([{ research: ['Score', 'SCORE_1'], production: ['score'] }]);
  });

  it("the files' own spellings match exactly: a, A_1 (A in the file) against A and a", () => {
    const m = matchSchemas(cols('a', 'A_1'), cols('A', 'a_1'), {}, { research: { A_1: 'A' }, production: { a_1: 'a' } });
    expect(m.pairs.map((p) => [p.name, p.productionName]).sort()).toEqual([
      ['A_1', 'A'],
      ['a', 'a_1'],
    ]);
    expect(m.caseOnly).toBeUndefined();
  });

  it("--ignore Amount leaves out production's amount too (one spelling on each side)", () => {
    const m = matchSchemas(cols('id', 'Amount'), cols('id', 'amount'), { ignore: ['Amount'] });
    expect(m.pairs.map((p) => p.name)).toEqual(['id']);
    expect(m.onlyResearch).toEqual([]);
    expect(m.onlyProduction).toEqual([]);
  });

  it('a production column named by --map is never re-paired by case', () => {
    const m = matchSchemas(cols('Amount', 'x'), cols('amount', 'y'), { rename: { x: 'amount' } });
    expect(m.pairs.map((p) => [p.name, p.productionName])).toEqual([['x', 'amount']]);
    expect(m.onlyResearch.map((c) => c.name)).toEqual(['Amount']);
  });
});
