import { describe, expect, it } from 'vitest';
import { ALL_CAUSES, STAGES } from '../../src/findings/types.js';
import { renderJson } from '../../src/report/json.js';
import { assertValidError, assertValidReport, reportSchema } from '../helpers/schema.js';
import { ALL_FIXTURES, checkReport } from './fixtures.js';

type Defs = Record<string, { enum?: string[] }>;
const defs = reportSchema.$defs as Defs;

/** A deep copy of the check report, edited by `edit`, as the JSON a user would parse. */
function mutated(edit: (doc: Record<string, any>) => void): unknown {
  const doc = JSON.parse(renderJson(checkReport()));
  edit(doc);
  return doc;
}

describe('report.schema.json', () => {
  it('lists exactly the cause codes of ALL_CAUSES (changing either is deliberate)', () => {
    expect(defs.cause!.enum, 'schemas/report.schema.json $defs.cause.enum must list ALL_CAUSES in the same order').toEqual([...ALL_CAUSES]);
    expect(new Set(defs.cause!.enum).size).toBe(defs.cause!.enum!.length);
  });

  it('lists exactly the stages of STAGES', () => {
    expect(defs.stage!.enum).toEqual([...STAGES]);
  });

  it('accepts every fixture report, as objects and as rendered JSON', () => {
    for (const build of Object.values(ALL_FIXTURES)) {
      expect(() => assertValidReport(build())).not.toThrow();
      expect(() => assertValidReport(renderJson(build()))).not.toThrow();
    }
  });

  it.each([
    ['an unknown cause', (d: any) => (d.findings[0].cause = 'propagated'), /cause/],
    ['a negative rowsAffected', (d: any) => (d.findings[0].rowsAffected = -1), /rowsAffected/],
    ['a fractional rowsAffected', (d: any) => (d.findings[0].rowsAffected = 1.5), /rowsAffected/],
    ['an unknown propagatedFrom', (d: any) => (d.findings[1].propagatedFrom = 'upstream'), /propagatedFrom/],
    ['a missing top-level key', (d: any) => delete d.firstBrokenStage, /firstBrokenStage/],
    ['an extra finding key', (d: any) => (d.findings[0].extra = 1), /additional/],
    ['a wrong schemaVersion', (d: any) => (d.schemaVersion = '2'), /schemaVersion/],
    ['a bad stage status', (d: any) => (d.stages[0].status = 'broken'), /status/],
    ['a bad severity', (d: any) => (d.findings[0].severity = 'fatal'), /severity/],
    ['a bad command', (d: any) => (d.command = 'all'), /command/],
    ['a summary that is not an object', (d: any) => (d.stages[0].summary = []), /summary/],
    ['an equal verdict naming a broken stage', (d: any) => (d.verdict = 'equal'), /firstBrokenStage/],
    ['a different verdict with no broken stage', (d: any) => (d.firstBrokenStage = null), /firstBrokenStage/],
  ])('rejects %s', (_what, edit, message) => {
    expect(() => assertValidReport(mutated(edit))).toThrow(message);
  });
});

describe('error.schema.json', () => {
  it('accepts the --json error document and rejects anything else', () => {
    expect(() => assertValidError({ error: { code: 'E_FILE_NOT_FOUND', message: 'research.csv: no such file' } })).not.toThrow();
    expect(() => assertValidError('{"error":{"code":"E_INTERNAL","message":"internal error: boom"}}')).not.toThrow();
    expect(() => assertValidError({ error: { code: 'E_USAGE' } })).toThrow(/message/);
    expect(() => assertValidError({ error: { code: 'oops', message: 'x' } })).toThrow(/pattern/);
    expect(() => assertValidError({ error: { code: 'E_USAGE', message: 'x' }, stack: '…' })).toThrow(/additional/);
  });
});
