import { describe, expect, it } from 'vitest';
import { parseNullValues } from '../../src/cli/flags.js';
import { splitCsvLine } from '../../src/sources/names.js';
import { readerSql } from '../../src/sources/register.js';
import type { InputSpec } from '../../src/sources/resolve.js';

const spec = (read: InputSpec['read']): InputSpec => ({ label: 'a.csv', format: 'csv', files: ['/d/a.csv'], dirs: [], hive: false, read });

describe('reading options', () => {
  it('--null-values: comma-separated, a quoted "" is the empty string', () => {
    expect(parseNullValues('NA, null,""')).toEqual(['NA', 'null', '']);
    expect(parseNullValues(undefined)).toBeUndefined();
  });

  it('the CSV reader: header only when given, declared nulls on top of the empty field, the decimal separator', () => {
    const sniffed = readerSql(spec({}));
    expect(sniffed).not.toContain('header');
    expect(sniffed).toContain('allow_quoted_nulls = false');
    expect(sniffed).not.toMatch(/BOOLEAN/);
    expect(readerSql(spec({ header: true }))).toContain('header = true');
    expect(readerSql(spec({ header: false }))).toContain('header = false');
    const declared = readerSql(spec({ nullValues: ['NA', ''], decimal: ',' }));
    expect(declared).toContain("nullstr = ['', 'NA']");
    expect(declared).toContain('allow_quoted_nulls = true');
    expect(declared).toContain("decimal_separator = ','");
    expect(readerSql(spec({ nullValues: ["it's"] }))).toContain("nullstr = ['', 'it''s']");
    expect(readerSql(spec({}), { "x'y": 'VARCHAR' })).toContain("types = {'x''y': 'VARCHAR'}");
  });

  it('header cells are split honouring quotes', () => {
    expect(splitCsvLine('"","a,b",c,"e""f"', ',')).toEqual(['', 'a,b', 'c', 'e"f']);
    expect(splitCsvLine('x;y', ';')).toEqual(['x', 'y']);
  });
});
