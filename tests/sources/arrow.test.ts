import {
  Bool,
  DateDay,
  Dictionary,
  Float16,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  Table,
  TimestampMicrosecond,
  TimestampNanosecond,
  Uint64,
  Uint8,
  Utf8,
  makeData,
  makeVector,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ReprodiffError } from '../../src/errors.js';
import { decimalText, schemaIsBigEndian } from '../../src/sources/arrow-decode.js';
import { importArrow } from '../../src/sources/arrow.js';
import { openDataset } from '../../src/sources/register.js';
import { resolveInput } from '../../src/sources/resolve.js';

const dir = mkdtempSync(join(tmpdir(), 'reprodiff-arrow-'));
const corpora = resolve(__dirname, '../../../shared/corpora/arrow-testing/arrow-ipc-stream/integration');

function sample(): Table {
  const n = 5;
  return new Table({
    id: vectorFromArray([1, 2, 3, 4, 5], new Int32()),
    big: vectorFromArray([1n, -2n, 9007199254740993n, null, 0n], new Int64()),
    u64: vectorFromArray([18446744073709551615n, 0n, 1n, 2n, 3n], new Uint64()),
    tiny: vectorFromArray([-128, 127, null, 0, 1], new Int8()),
    small: vectorFromArray([1, 2, 3, 4, 5], new Int16()),
    ubyte: vectorFromArray([255, 0, 1, 2, 3], new Uint8()),
    half: vectorFromArray([0.5, 1.5, null, -2, 65504], new Float16()),
    single: vectorFromArray([0.1, 0.2, 0.3, null, 1e30], new Float32()),
    double: vectorFromArray([0.1, Number.NaN, Infinity, null, -0], new Float64()),
    flag: vectorFromArray([true, false, null, true, false], new Bool()),
    'name with "quotes" and spaces': vectorFromArray(['a', 'b"c', null, 'é€😀', ''], new Utf8()),
    day: vectorFromArray([new Date(Date.UTC(2020, 0, 1)), null, new Date(Date.UTC(1969, 11, 31)), new Date(0), new Date(Date.UTC(2024, 1, 29))], new DateDay()),
    cat: vectorFromArray(['x', 'y', 'x', null, 'z'], new Dictionary(new Utf8(), new Int32())),
  }).slice(0, n);
}

/** Nanosecond and microsecond timestamps from raw int64s (apache-arrow's builders take milliseconds). */
function timestamps(): Table {
  const ns = BigInt64Array.from([1_700_000_000_123_456_789n, -1n, 0n]);
  const us = BigInt64Array.from([1_700_000_000_123_456n, -1n, 0n]);
  return new Table({
    ts_ns: makeVector(makeData({ type: new TimestampNanosecond(), length: 3, data: ns })),
    ts_us_tz: makeVector(makeData({ type: new TimestampMicrosecond('Europe/Paris'), length: 3, data: us })),
  });
}

let sampleFile: string;
let sampleStream: string;
let multiBatch: string;
let tsFile: string;

beforeAll(() => {
  sampleFile = join(dir, 'sample.arrow');
  sampleStream = join(dir, 'sample.arrows');
  writeFileSync(sampleFile, tableToIPC(sample(), 'file'));
  writeFileSync(sampleStream, tableToIPC(sample(), 'stream'));
  // Several record batches: concatenating tables keeps one batch per input.
  const parts = Array.from(
    { length: 4 },
    (_, k) =>
      new Table({
        k: vectorFromArray(
          Array.from({ length: 1000 }, (_, i) => k * 1000 + i),
          new Int32(),
        ),
      }),
  );
  multiBatch = join(dir, 'multi.feather');
  writeFileSync(
    multiBatch,
    tableToIPC(
      parts.reduce((a, b) => a.concat(b)),
      'file',
    ),
  );
  tsFile = join(dir, 'ts.arrow');
  writeFileSync(tsFile, tableToIPC(timestamps(), 'file'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function load(file: string): Promise<{ engine: Engine; relation: string; columns: readonly { name: string; type: string }[] }> {
  const engine = await Engine.open({ readableFiles: [file] });
  const ds = await openDataset(engine, resolveInput(file), 'a');
  return { engine, relation: ds.relation, columns: ds.columns };
}

describe('importArrow', () => {
  it('maps Arrow types to DuckDB types and keeps values and nulls', async () => {
    const { engine, relation, columns } = await load(sampleFile);
    try {
      expect(columns).toEqual([
        { name: 'id', type: 'INTEGER' },
        { name: 'big', type: 'BIGINT' },
        { name: 'u64', type: 'UBIGINT' },
        { name: 'tiny', type: 'TINYINT' },
        { name: 'small', type: 'SMALLINT' },
        { name: 'ubyte', type: 'UTINYINT' },
        { name: 'half', type: 'FLOAT' },
        { name: 'single', type: 'FLOAT' },
        { name: 'double', type: 'DOUBLE' },
        { name: 'flag', type: 'BOOLEAN' },
        { name: 'name with "quotes" and spaces', type: 'VARCHAR' },
        { name: 'day', type: 'DATE' },
        { name: 'cat', type: 'VARCHAR' },
      ]);
      const rows = await engine.all(
        `SELECT id, big::VARCHAR AS big, u64::VARCHAR AS u64, tiny, half, double::VARCHAR AS double, flag, "name with ""quotes"" and spaces" AS s, day::VARCHAR AS day, cat FROM ${relation} ORDER BY id`,
      );
      expect(rows.map((r) => r.big)).toEqual(['1', '-2', '9007199254740993', null, '0']);
      expect(rows.map((r) => r.u64)).toEqual(['18446744073709551615', '0', '1', '2', '3']);
      expect(rows.map((r) => r.tiny)).toEqual([-128, 127, null, 0, 1]);
      expect(rows.map((r) => r.half)).toEqual([0.5, 1.5, null, -2, 65504]);
      expect(rows.map((r) => r.double)).toEqual(['0.1', 'nan', 'inf', null, '-0.0']);
      expect(rows.map((r) => r.flag)).toEqual([true, false, null, true, false]);
      expect(rows.map((r) => r.s)).toEqual(['a', 'b"c', null, 'é€😀', '']);
      expect(rows.map((r) => r.day)).toEqual(['2020-01-01', null, '1969-12-31', '1970-01-01', '2024-02-29']);
      expect(rows.map((r) => r.cat)).toEqual(['x', 'y', 'x', null, 'z']);
    } finally {
      engine.close();
    }
  });

  it('reads the stream format to the same rows as the file format', async () => {
    const a = await load(sampleFile);
    const b = await load(sampleStream);
    try {
      const hash = async (x: typeof a) => (await x.engine.one(`SELECT count(*)::INTEGER AS n, sum(hash(t))::VARCHAR AS h FROM ${x.relation} t`)) as unknown;
      expect(await hash(b)).toEqual(await hash(a));
    } finally {
      a.engine.close();
      b.engine.close();
    }
  });

  it('loads every record batch', async () => {
    const { engine, relation } = await load(multiBatch);
    try {
      expect(await engine.one(`SELECT count(*)::INTEGER AS n, sum(k)::BIGINT AS s, count(DISTINCT k)::INTEGER AS d FROM ${relation}`)).toEqual({ n: 4000, s: 7998000n, d: 4000 });
    } finally {
      engine.close();
    }
  });

  it('keeps timestamp precision and time zones', async () => {
    const { engine, relation, columns } = await load(tsFile);
    try {
      expect(columns).toEqual([
        { name: 'ts_ns', type: 'TIMESTAMP_NS' },
        { name: 'ts_us_tz', type: 'TIMESTAMP WITH TIME ZONE' },
      ]);
      const rows = await engine.all(`SELECT epoch_ns(ts_ns)::VARCHAR AS ns, epoch_us(ts_us_tz)::VARCHAR AS us FROM ${relation}`);
      expect(rows).toEqual([
        { ns: '1700000000123456789', us: '1700000000123456' },
        { ns: '-1', us: '-1' },
        { ns: '0', us: '0' },
      ]);
    } finally {
      engine.close();
    }
  });

  it('refuses a file that is not Arrow with one E_FORMAT line naming it', async () => {
    const bad = join(dir, 'bad.arrow');
    writeFileSync(bad, 'this is not arrow at all, just text\n'.repeat(10));
    const engine = await Engine.open({ readableFiles: [bad] });
    try {
      const err = await importArrow(engine, bad, 't_bad').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReprodiffError);
      expect((err as ReprodiffError).code).toBe('E_FORMAT');
      expect((err as ReprodiffError).oneLine()).toContain(bad);
      expect((err as ReprodiffError).oneLine()).not.toContain('\n');
    } finally {
      engine.close();
    }
  });

  it('refuses a truncated file', async () => {
    const cut = join(dir, 'cut.arrow');
    const bytes = readFileSync(sampleFile);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const engine = await Engine.open({ readableFiles: [cut] });
    try {
      await expect(importArrow(engine, cut, 't_cut')).rejects.toMatchObject({ code: 'E_FORMAT' });
    } finally {
      engine.close();
    }
  });
});

describe('schemaIsBigEndian', () => {
  it('reads the endianness field of the schema message', () => {
    expect(schemaIsBigEndian(readFileSync(sampleFile))).toBe(false);
    expect(schemaIsBigEndian(readFileSync(sampleStream))).toBe(false);
    expect(schemaIsBigEndian(new Uint8Array([1, 2, 3]))).toBe(false);
    expect(schemaIsBigEndian(new Uint8Array(0))).toBe(false);
  });

  it.skipIf(!existsSync(corpora))('recognises the big-endian integration files and refuses them', async () => {
    for (const form of ['arrow_file', 'stream']) {
      const be = join(corpora, `1.0.0-bigendian/generated_primitive.${form}`);
      const le = join(corpora, `1.0.0-littleendian/generated_primitive.${form}`);
      expect(schemaIsBigEndian(readFileSync(be))).toBe(true);
      expect(schemaIsBigEndian(readFileSync(le))).toBe(false);
      const engine = await Engine.open({ readableFiles: [be] });
      try {
        const err = (await importArrow(engine, be, 't_be').catch((e: unknown) => e)) as ReprodiffError;
        expect(err.code).toBe('E_FORMAT');
        expect(err.message).toBe(`${be}: big-endian Arrow is not supported`);
        expect(err.suggestion).toBeTruthy();
      } finally {
        engine.close();
      }
    }
  });
});

describe('decimalText', () => {
  it('writes exact decimal text', () => {
    expect(decimalText(12345n, 2)).toBe('123.45');
    expect(decimalText(-5n, 3)).toBe('-0.005');
    expect(decimalText(7n, 0)).toBe('7');
    expect(decimalText(12n, -2)).toBe('1200');
    expect(decimalText(10n ** 60n + 1n, 5)).toBe(`${(10n ** 55n).toString()}.00001`);
  });
});

describe.skipIf(!existsSync(corpora))('integration files (in-process decoder)', () => {
  it('decodes decimals exactly, in both forms', async () => {
    const file = join(corpora, '1.0.0-littleendian/generated_decimal.arrow_file');
    const stream = join(corpora, '1.0.0-littleendian/generated_decimal.stream');
    const a = await load(file);
    const b = await load(stream);
    try {
      expect(a.columns[0]).toEqual({ name: a.columns[0]!.name, type: 'DECIMAL(3,2)' });
      const sig = async (x: typeof a) => x.engine.one(`SELECT count(*)::INTEGER AS n, sum(hash(t))::VARCHAR AS h FROM ${x.relation} t`);
      expect(await sig(b)).toEqual(await sig(a));
    } finally {
      a.engine.close();
      b.engine.close();
    }
  });
});
