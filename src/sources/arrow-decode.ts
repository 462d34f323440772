/**
 * Decoding of Arrow IPC files and streams with apache-arrow into plain, transferable column payloads.
 * Runs inside the decoder worker (arrow-worker.ts), so that a corrupt file that makes apache-arrow
 * loop or blow its heap can be stopped without taking the process down; see arrow.ts for the loader.
 *
 * Type mapping (Arrow → DuckDB), and why:
 * - Int8…Int64, Uint8…Uint64 → TINYINT…BIGINT, UTINYINT…UBIGINT (same width, exact).
 * - Float16, Float32 → FLOAT; Float64 → DOUBLE. Bool → BOOLEAN.
 * - Utf8, LargeUtf8, Utf8View → VARCHAR; Binary, LargeBinary, FixedSizeBinary, BinaryView → BLOB.
 * - Date32 / Date64 → DATE (Date64 is floored to whole days, as the spec requires it to be).
 * - Timestamp without a zone → TIMESTAMP_S / TIMESTAMP_MS / TIMESTAMP / TIMESTAMP_NS (the same unit);
 *   with a zone → TIMESTAMPTZ (microseconds; nanoseconds are floored, DuckDB has no TIMESTAMPTZ_NS).
 * - Time32 / Time64 → TIME (microseconds; nanoseconds floored).
 * - Decimal with precision ≤ 38 and 0 ≤ scale ≤ precision → DECIMAL(p, s), exact; wider ones
 *   (Decimal256) or negative scales → VARCHAR holding the exact decimal text.
 * - Duration → BIGINT (the count in the column's own unit: an INTERVAL cannot hold every value).
 * - Interval → INTERVAL. Null → VARCHAR (all null). Dictionary → its value type.
 * - List, LargeList, FixedSizeList, Struct, Map, Union → VARCHAR holding the value as JSON text
 *   (64-bit integers and decimals as JSON strings so no digit is lost, binary as hex).
 * Endianness: apache-arrow reads big-endian buffers as if they were little-endian without an error,
 * so the schema message is parsed here first and big-endian data is refused.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { RecordBatchReader, Type, Vector } from 'apache-arrow';
import type { Data, DataType, Field, RecordBatch, Schema } from 'apache-arrow';

/** How a column is carried from the worker to the appender. */
export type ColumnKind =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'float'
  | 'double'
  | 'bool'
  | 'varchar'
  | 'blob'
  | 'date'
  | 'timestamp_s'
  | 'timestamp_ms'
  | 'timestamp_us'
  | 'timestamp_ns'
  | 'timestamptz'
  | 'time'
  | 'decimal'
  | 'interval'
  | 'null';

export interface ColumnPlan {
  readonly name: string;
  readonly kind: ColumnKind;
  /** The DuckDB column type, e.g. DECIMAL(10,2). */
  readonly sqlType: string;
  /** For DECIMAL: width and scale. */
  readonly width?: number;
  readonly scale?: number;
}

/**
 * One column of one batch: `values` is a typed array for numeric kinds (one entry per row, or three
 * per row for intervals: months, days, micros), or an array for strings, blobs and decimals.
 * `valid[i] === 0` marks a null; no `valid` means no nulls.
 */
export interface ColumnPayload {
  readonly values: ArrayLike<unknown>;
  readonly valid?: Uint8Array;
}

export interface BatchPayload {
  readonly rows: number;
  readonly columns: readonly ColumnPayload[];
}

/** Messages from the decoder, in order: one schema, any number of batches, one end (or an error). */
export type DecodeMessage =
  | { readonly type: 'schema'; readonly columns: readonly ColumnPlan[] }
  | { readonly type: 'batch'; readonly batch: BatchPayload }
  | { readonly type: 'end' }
  | { readonly type: 'error'; readonly code: 'E_FORMAT'; readonly message: string; readonly suggestion?: string };

/** An input the decoder refuses for a known reason (big-endian, unsupported type): one line for the user. */
export class ArrowInputError extends Error {
  constructor(
    message: string,
    readonly suggestion?: string,
  ) {
    super(message);
    this.name = 'ArrowInputError';
  }
}

/** Rows per message: keeps the JS-side copy of a huge record batch bounded. */
export const CHUNK_ROWS = 65_536;

/** Decodes a file batch by batch (bounded memory: file format by random access, stream format as a stream). */
export async function* decodeArrowFile(file: string): AsyncGenerator<DecodeMessage> {
  const head = readHead(file, 1 << 16);
  if (schemaIsBigEndian(head)) {
    throw new ArrowInputError('big-endian Arrow is not supported', 'rewrite the file as little-endian Arrow or as Parquet');
  }
  const isFile = head.length >= 6 && String.fromCharCode(...head.subarray(0, 6)) === 'ARROW1';
  const handle = isFile ? await open(file, 'r') : undefined;
  try {
    const reader = handle ? await RecordBatchReader.from(handle) : await RecordBatchReader.from(createReadStream(file));
    await reader.open();
    const columns = planColumns(reader.schema);
    yield { type: 'schema', columns };
    // apache-arrow stands an empty placeholder in for a record batch it could not read: count real ones.
    const expected = reader.isFile() ? reader.numRecordBatches : undefined;
    let loaded = 0;
    for await (const batch of reader) {
      if (batch.constructor.name === '_InternalEmptyPlaceholderRecordBatch') continue;
      loaded++;
      for (const column of batch.data.children) checkNullCounts(column as Data);
      for (let start = 0; start < batch.numRows; start += CHUNK_ROWS) {
        const part = start === 0 && batch.numRows <= CHUNK_ROWS ? batch : batch.slice(start, Math.min(batch.numRows, start + CHUNK_ROWS));
        yield { type: 'batch', batch: extractBatch(part, columns) };
      }
    }
    if (expected !== undefined && loaded !== expected) {
      throw new ArrowInputError(`corrupt file: the footer lists ${expected} record batches, ${loaded} could be read`);
    }
    yield { type: 'end' };
  } finally {
    await handle?.close();
  }
}

function readHead(file: string, max: number): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const buf = new Uint8Array(max);
    const n = readSync(fd, buf, 0, max, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads the `endianness` field of the first (Schema) message of an IPC file or stream, straight from
 * the flatbuffer bytes (apache-arrow ignores it). Unparseable bytes answer false: apache-arrow then
 * reports what is wrong.
 */
export function schemaIsBigEndian(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (p: number) => (p >= 0 && p + 4 <= bytes.length ? view.getUint32(p, true) : undefined);
  const i32 = (p: number) => (p >= 0 && p + 4 <= bytes.length ? view.getInt32(p, true) : undefined);
  const u16 = (p: number) => (p >= 0 && p + 2 <= bytes.length ? view.getUint16(p, true) : undefined);
  let pos = bytes.length >= 8 && String.fromCharCode(...bytes.subarray(0, 6)) === 'ARROW1' ? 8 : 0;
  if (u32(pos) === 0xffffffff) pos += 4; // continuation marker (absent before format 0.15)
  const length = i32(pos);
  if (length === undefined || length <= 0) return false;
  const base = pos + 4;
  const end = Math.min(bytes.length, base + length);
  // Offset of field `index` in the table at `table` (absolute), or undefined when absent.
  const field = (table: number, index: number): number | undefined => {
    const soff = i32(table);
    if (soff === undefined) return undefined;
    const vtable = table - soff;
    const vsize = u16(vtable);
    if (vsize === undefined || vtable < base || vtable + vsize > end) return undefined;
    if (4 + 2 * index + 2 > vsize) return undefined;
    const off = u16(vtable + 4 + 2 * index);
    return off ? table + off : undefined;
  };
  const rootOff = u32(base);
  if (rootOff === undefined) return false;
  const message = base + rootOff;
  if (message >= end) return false;
  const typeAt = field(message, 1);
  const headerType = typeAt !== undefined && typeAt < end ? bytes[typeAt] : 0;
  if (headerType !== 1) return false; // MessageHeader.Schema
  const headerAt = field(message, 2);
  const headerOff = headerAt === undefined ? undefined : u32(headerAt);
  if (headerAt === undefined || headerOff === undefined) return false;
  const schema = headerAt + headerOff;
  if (schema >= end) return false;
  const endianAt = field(schema, 0);
  const endianness = endianAt === undefined ? 0 : u16(endianAt);
  return endianness === 1; // Endianness.Big
}

const TIME_UNIT_SQL = ['TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP', 'TIMESTAMP_NS'] as const;
const TIME_UNIT_KIND = ['timestamp_s', 'timestamp_ms', 'timestamp_us', 'timestamp_ns'] as const;

/** DuckDB columns for an Arrow schema; duplicate and empty names are renamed the way DuckDB does. */
export function planColumns(schema: Schema): ColumnPlan[] {
  const seen = new Set<string>();
  return schema.fields.map((f: Field, i: number) => {
    validateType(f.type, f.name);
    if (f.name.includes('\u0000')) throw new ArrowInputError(`column ${i} has a NUL byte in its name`);
    let name = f.name === '' ? `column${i}` : f.name;
    if (seen.has(name.toLowerCase())) {
      let k = 1;
      while (seen.has(`${name}_${k}`.toLowerCase())) k++;
      name = `${name}_${k}`;
    }
    seen.add(name.toLowerCase());
    return { name, ...planType(f.type) };
  });
}

function planType(type: DataType): Omit<ColumnPlan, 'name'> {
  const t = type as DataType & Record<string, unknown>;
  switch (type.typeId) {
    case Type.Dictionary:
      return planType(t.dictionary as DataType);
    case Type.Null:
      return { kind: 'null', sqlType: 'VARCHAR' };
    case Type.Int: {
      const bits = t.bitWidth as number;
      const signed = t.isSigned as boolean;
      const names: Record<number, [ColumnKind, string, ColumnKind, string]> = {
        8: ['int8', 'TINYINT', 'uint8', 'UTINYINT'],
        16: ['int16', 'SMALLINT', 'uint16', 'USMALLINT'],
        32: ['int32', 'INTEGER', 'uint32', 'UINTEGER'],
        64: ['int64', 'BIGINT', 'uint64', 'UBIGINT'],
      };
      const n = names[bits];
      if (!n) throw new ArrowInputError(`unsupported integer width ${bits}`);
      return signed ? { kind: n[0], sqlType: n[1] } : { kind: n[2], sqlType: n[3] };
    }
    case Type.Float:
      return (t.precision as number) === 2 ? { kind: 'double', sqlType: 'DOUBLE' } : { kind: 'float', sqlType: 'FLOAT' };
    case Type.Bool:
      return { kind: 'bool', sqlType: 'BOOLEAN' };
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View:
      return { kind: 'varchar', sqlType: 'VARCHAR' };
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
    case Type.BinaryView:
      return { kind: 'blob', sqlType: 'BLOB' };
    case Type.Date:
      return { kind: 'date', sqlType: 'DATE' };
    case Type.Timestamp: {
      const unit = t.unit as 0 | 1 | 2 | 3;
      if (t.timezone) return { kind: 'timestamptz', sqlType: 'TIMESTAMPTZ' };
      return { kind: TIME_UNIT_KIND[unit], sqlType: TIME_UNIT_SQL[unit] };
    }
    case Type.Time:
      return { kind: 'time', sqlType: 'TIME' };
    case Type.Decimal: {
      const p = t.precision as number;
      const s = t.scale as number;
      if (!Number.isInteger(p) || p < 1 || !Number.isInteger(s)) throw new ArrowInputError(`invalid decimal precision ${p} or scale ${s}`);
      if (p >= 1 && p <= 38 && s >= 0 && s <= p) return { kind: 'decimal', sqlType: `DECIMAL(${p},${s})`, width: p, scale: s };
      return { kind: 'varchar', sqlType: 'VARCHAR' };
    }
    case Type.Duration:
      return { kind: 'int64', sqlType: 'BIGINT' };
    case Type.Interval:
      return { kind: 'interval', sqlType: 'INTERVAL' };
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList:
    case Type.Struct:
    case Type.Map:
    case Type.Union:
      return { kind: 'varchar', sqlType: 'VARCHAR' };
    default:
      throw new ArrowInputError(`unsupported Arrow type ${String(type)}`, 'convert the column to a supported type or the file to Parquet');
  }
}

const UNIT_RANGE: Partial<Record<Type, number>> = { [Type.Date]: 1, [Type.Time]: 3, [Type.Timestamp]: 3, [Type.Duration]: 3, [Type.Interval]: 2 };

/** Rejects type metadata that apache-arrow accepts but that cannot describe real data (seen in fuzzed files). */
function validateType(type: DataType, column: string): void {
  const t = type as DataType & Record<string, unknown>;
  const bad = (what: string) => new ArrowInputError(`column '${column}': invalid ${what} in type ${String(type)}`);
  const maxUnit = UNIT_RANGE[type.typeId];
  if (maxUnit !== undefined) {
    const unit = t.unit as number | undefined;
    if (typeof unit !== 'number' || !Number.isInteger(unit) || unit < 0 || unit > maxUnit) throw bad('unit');
  }
  if (type.typeId === Type.Time) {
    const bits = t.bitWidth as number;
    const unit = t.unit as number;
    if (!((bits === 32 && unit <= 1) || (bits === 64 && unit >= 2))) throw bad('bit width');
  }
  if (type.typeId === Type.Int && ![8, 16, 32, 64].includes(t.bitWidth as number)) throw bad('bit width');
  if (type.typeId === Type.Float && ![0, 1, 2].includes(t.precision as number)) throw bad('precision');
  if (type.typeId === Type.Decimal && ![32, 64, 128, 256].includes((t.bitWidth as number | undefined) ?? 128)) throw bad('bit width');
  if (type.typeId === Type.FixedSizeBinary || type.typeId === Type.FixedSizeList) {
    const size = (t.byteWidth ?? t.listSize) as number;
    if (!Number.isInteger(size) || size < 0) throw bad('size');
  }
  if (type.typeId === Type.Union) {
    const ids = (t.typeIds as ArrayLike<number> | undefined) ?? [];
    const children = type.children ?? [];
    const uniq = new Set(Array.from(ids));
    if (ids.length !== children.length || uniq.size !== ids.length || Array.from(ids).some((k) => k < 0 || k > 127)) throw bad('union type ids');
  }
  if (type.typeId === Type.Map) {
    const entries = type.children?.[0]?.type as DataType | undefined;
    if (!entries || entries.typeId !== Type.Struct || entries.children.length !== 2) throw bad('map entries');
  }
  if (type.typeId === Type.Dictionary) {
    validateType(t.dictionary as DataType, column);
    const indices = t.indices as DataType | undefined;
    if (!indices || indices.typeId !== Type.Int) throw bad('dictionary index type');
  }
  for (const child of type.children ?? []) validateType(child.type, column);
}

/** Copies one batch into payloads; everything returned owns its buffers (transferable). */
export function extractBatch(batch: RecordBatch, plan: readonly ColumnPlan[]): BatchPayload {
  const columns = plan.map((p, i) => {
    const vector = batch.getChildAt(i);
    if (!vector) throw new ArrowInputError(`record batch has no column ${i}`);
    return extractVector(vector, p);
  });
  return { rows: batch.numRows, columns };
}

/** All payload buffers, for postMessage's transfer list. */
export function transferables(batch: BatchPayload): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const c of batch.columns) {
    if (ArrayBuffer.isView(c.values) && c.values.buffer instanceof ArrayBuffer) out.push(c.values.buffer);
    if (c.valid && c.valid.buffer instanceof ArrayBuffer) out.push(c.valid.buffer);
  }
  return out;
}

function extractVector(vector: Vector, plan: ColumnPlan): ColumnPayload {
  const parts = vector.data.map((d) => {
    validateData(d as Data);
    return extractData(d as Data, plan);
  });
  if (parts.length === 1) return parts[0]!;
  return concatPayloads(parts, plan, vector.length);
}

function extractData(d: Data, plan: ColumnPlan): ColumnPayload {
  const valid = validity(d);
  if (d.typeId === Type.Dictionary) return extractDictionary(d, plan, valid);
  const t = d.type as DataType & Record<string, unknown>;
  const n = d.length;
  const off = d.offset;
  switch (d.typeId) {
    case Type.Null:
      return { values: new Uint8Array(n), valid: new Uint8Array(n) };
    case Type.Int:
    case Type.Date:
    case Type.Timestamp:
    case Type.Time:
    case Type.Duration:
    case Type.Float:
    case Type.Bool:
    case Type.Interval:
      return { values: fixedWidth(d, plan, t, n, off), valid };
    case Type.Decimal:
      return { values: decimals(d, plan, t, n, off, valid), valid };
    case Type.Utf8:
    case Type.LargeUtf8: {
      const bytes = d.values as Uint8Array;
      const offsets = d.valueOffsets as ArrayLike<number | bigint>;
      const values: (string | null)[] = new Array(n);
      for (let i = 0; i < n; i++) {
        if (valid && !valid[i]) values[i] = null;
        else {
          const from = Number(offsets[off + i]!);
          const to = Number(offsets[off + i + 1]!);
          try {
            values[i] = UTF8.decode(bytes.subarray(from, to));
          } catch {
            throw corrupt('a string is not valid UTF-8');
          }
        }
      }
      return { values, valid };
    }
    case Type.Utf8View:
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
    case Type.BinaryView: {
      const vec = new Vector([d]);
      const values: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) {
        if (valid && !valid[i]) values[i] = null;
        else {
          const v = vec.get(i) as unknown;
          values[i] = v instanceof Uint8Array ? v.slice() : v;
        }
      }
      return { values, valid };
    }
    default: {
      // Nested: JSON text of each value.
      const vec = new Vector([d]);
      const values: (string | null)[] = new Array(n);
      for (let i = 0; i < n; i++) values[i] = valid && !valid[i] ? null : JSON.stringify(plainJson(vec.get(i)));
      return { values, valid };
    }
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const corrupt = (what: string) => new ArrowInputError(`corrupt record batch: ${what}`);

/**
 * Checks buffer sizes, offsets and child lengths of a column (recursively), which apache-arrow
 * trusts: without this, a corrupt file reads as garbage instead of failing.
 */
export function validateData(d: Data): void {
  const end = d.offset + d.length;
  if (!Number.isInteger(d.offset) || !Number.isInteger(d.length) || d.offset < 0 || d.length < 0) throw corrupt('negative length or offset');
  const bitmap = d.nullBitmap as Uint8Array | undefined;
  if (bitmap && bitmap.length > 0 && bitmap.length * 8 < end) throw corrupt('validity bitmap shorter than the column');
  const t = d.type as DataType & Record<string, unknown>;
  const values = d.values as ArrayLike<unknown> | undefined;
  const offsets = d.valueOffsets as ArrayLike<number | bigint> | undefined;
  const checkOffsets = (limit: number, what: string) => {
    if (d.length === 0) return;
    if (!offsets || offsets.length < end + 1) throw corrupt(`${what} offsets shorter than the column`);
    let prev = Number(offsets[d.offset]!);
    if (prev < 0) throw corrupt(`negative ${what} offset`);
    for (let i = d.offset + 1; i <= end; i++) {
      const o = Number(offsets[i]!);
      if (o < prev) throw corrupt(`${what} offsets decrease`);
      prev = o;
    }
    if (prev > limit) throw corrupt(`${what} offsets point past the end of the data`);
  };
  switch (d.typeId) {
    case Type.Null:
      return;
    case Type.Bool:
      if (d.length > 0 && (!values || values.length * 8 < end)) throw corrupt('boolean data shorter than the column');
      return;
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Duration:
    case Type.Interval:
    case Type.Decimal:
    case Type.FixedSizeBinary:
      if (d.length > 0 && (!values || values.length < end * d.stride)) throw corrupt('data buffer shorter than the column');
      return;
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary:
      checkOffsets(values?.length ?? 0, 'string');
      return;
    case Type.List:
    case Type.LargeList:
    case Type.Map: {
      const child = d.children[0];
      if (!child) throw corrupt('list without values');
      checkOffsets(child.length, 'list');
      validateData(child);
      return;
    }
    case Type.FixedSizeList: {
      const child = d.children[0];
      if (!child || child.length < end * (t.listSize as number)) throw corrupt('fixed-size list values shorter than the column');
      validateData(child);
      return;
    }
    case Type.Struct:
      for (const child of d.children) {
        if (child.length < end) throw corrupt('struct field shorter than the struct');
        validateData(child);
      }
      return;
    case Type.Union: {
      const typeIds = d.typeIds as Int8Array | undefined;
      if (d.length > 0 && (!typeIds || typeIds.length < end)) throw corrupt('union type ids shorter than the column');
      const ids = Array.from((t.typeIds as ArrayLike<number>) ?? []);
      const dense = (t.mode as number) === 1;
      for (let i = d.offset; i < end; i++) {
        const k = ids.indexOf(typeIds![i]!);
        const child = d.children[k];
        if (k < 0 || !child) throw corrupt('union type id not in the type');
        const at = dense ? Number((offsets ?? [])[i] ?? -1) : i;
        if (at < 0 || at >= child.length) throw corrupt('union offset out of range');
      }
      for (const child of d.children) validateData(child);
      return;
    }
    case Type.Dictionary:
      if (d.length > 0 && (!values || values.length < end)) throw corrupt('dictionary indices shorter than the column');
      if (d.dictionary) for (const part of d.dictionary.data) validateData(part as Data);
      return;
    default:
      return;
  }
}

/** A null count read from the file is never negative (apache-arrow keeps -1 as "unknown" and would recount). */
function checkNullCounts(d: Data): void {
  const raw = (d as unknown as { _nullCount?: number })._nullCount;
  if (typeof raw === 'number' && raw < 0 && d.typeId !== Type.Null && d.typeId !== Type.BinaryView && d.typeId !== Type.Utf8View) throw corrupt('negative null count');
  for (const child of d.children) checkNullCounts(child);
}

/** Per-row validity (1 valid, 0 null) or undefined when nothing is null. Unions and nulls have no bitmap. */
function validity(d: Data): Uint8Array | undefined {
  if (d.typeId === Type.Union) return undefined;
  if (d.typeId === Type.Null) {
    return new Uint8Array(d.length);
  }
  const bitmap = d.nullBitmap as Uint8Array | undefined;
  if (!bitmap || bitmap.length === 0 || d.nullCount === 0) return undefined;
  const out = new Uint8Array(d.length);
  const off = d.offset;
  for (let i = 0; i < d.length; i++) {
    const bit = off + i;
    const byte = bitmap[bit >> 3];
    if (byte === undefined) throw new ArrowInputError('validity bitmap is shorter than the column');
    out[i] = (byte >> (bit & 7)) & 1;
  }
  return out;
}

function need(values: ArrayLike<unknown> | undefined, count: number): void {
  if (!values || values.length < count) throw new ArrowInputError('a data buffer is shorter than its column');
}

const MS_PER_DAY = 86_400_000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function fixedWidth(d: Data, plan: ColumnPlan, t: Record<string, unknown>, n: number, off: number): ArrayLike<unknown> {
  const values = d.values as ArrayLike<number | bigint> & { subarray?: (a: number, b: number) => unknown; slice: (a: number, b: number) => unknown };
  switch (d.typeId) {
    case Type.Bool: {
      const bits = d.values as Uint8Array;
      need(bits, (off + n + 7) >> 3);
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = (bits[(off + i) >> 3]! >> ((off + i) & 7)) & 1;
      return out;
    }
    case Type.Float: {
      need(values, off + n);
      if ((t.precision as number) === 0) {
        // Float16: let apache-arrow convert the half floats.
        const vec = new Vector([d]);
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = (vec.get(i) as number | null) ?? 0;
        return out;
      }
      return values.slice(off, off + n) as ArrayLike<number>;
    }
    case Type.Int:
    case Type.Duration:
      need(values, off + n);
      return values.slice(off, off + n) as ArrayLike<number>;
    case Type.Date: {
      need(values, off + n);
      if ((t.unit as number) === 0) return values.slice(off, off + n) as Int32Array;
      const out = new Int32Array(n);
      const ms = values as BigInt64Array;
      for (let i = 0; i < n; i++) out[i] = Number(floorDiv(ms[off + i]!, MS_PER_DAY));
      return out;
    }
    case Type.Timestamp: {
      need(values, off + n);
      const raw = (values as BigInt64Array).slice(off, off + n);
      if (plan.kind !== 'timestamptz') return raw;
      return toMicros(raw, t.unit as number, plan.name);
    }
    case Type.Time: {
      need(values, off + n);
      const unit = t.unit as number;
      const out = new BigInt64Array(n);
      if (unit <= 1) {
        const v = values as Int32Array;
        const mul = unit === 0 ? 1_000_000n : 1_000n;
        for (let i = 0; i < n; i++) out[i] = BigInt(v[off + i]!) * mul;
        return out;
      }
      const v = (values as BigInt64Array).slice(off, off + n);
      return unit === 2 ? v : toMicros(v, 3, plan.name);
    }
    case Type.Interval: {
      // months, days, micros per row, as three float64 slots (micros fit: |ms| < 2^31 · 1000).
      const unit = t.unit as number;
      const out = new Float64Array(n * 3);
      if (unit === 0) {
        const v = values as Int32Array;
        need(v, off + n);
        for (let i = 0; i < n; i++) out[3 * i] = v[off + i]!;
      } else if (unit === 1) {
        const v = values as Int32Array;
        need(v, 2 * (off + n));
        for (let i = 0; i < n; i++) {
          out[3 * i + 1] = v[2 * (off + i)]!;
          out[3 * i + 2] = v[2 * (off + i) + 1]! * 1000;
        }
      } else {
        // MONTH_DAY_NANO: int32 months, int32 days, int64 nanoseconds.
        const bytes = d.values as unknown as ArrayBufferView;
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        if (view.byteLength < 16 * (off + n)) throw new ArrowInputError('a data buffer is shorter than its column');
        for (let i = 0; i < n; i++) {
          const p = 16 * (off + i);
          out[3 * i] = view.getInt32(p, true);
          out[3 * i + 1] = view.getInt32(p + 4, true);
          out[3 * i + 2] = Number(floorDiv(view.getBigInt64(p + 8, true), 1000n));
        }
      }
      return out;
    }
    default:
      throw new ArrowInputError(`unsupported Arrow type ${String(d.type)}`);
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Unit (0 s, 1 ms, 2 µs, 3 ns) to microseconds, floored; a value that does not fit is an input error. */
function toMicros(raw: BigInt64Array, unit: number, column: string): BigInt64Array {
  const out = new BigInt64Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]!;
    let us: bigint;
    if (unit === 0) us = v * 1_000_000n;
    else if (unit === 1) us = v * 1_000n;
    else if (unit === 2) us = v;
    else us = floorDiv(v, 1_000n);
    if (us < INT64_MIN || us > INT64_MAX) throw new ArrowInputError(`column '${column}': timestamp ${v} does not fit in microseconds`);
    out[i] = us;
  }
  return out;
}

function decimals(d: Data, plan: ColumnPlan, t: Record<string, unknown>, n: number, off: number, valid: Uint8Array | undefined): unknown[] {
  const bitWidth = (t.bitWidth as number | undefined) ?? 128;
  const scale = t.scale as number;
  const src = d.values as unknown as ArrayBufferView;
  const bytesPer = bitWidth / 8;
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  if (view.byteLength < bytesPer * (off + n)) throw new ArrowInputError('a data buffer is shorter than its column');
  const out: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (valid && !valid[i]) {
      out[i] = null;
      continue;
    }
    const p = bytesPer * (off + i);
    let v = 0n;
    for (let b = bytesPer - 1; b >= 0; b--) v = (v << 8n) | BigInt(view.getUint8(p + b));
    if (v >> BigInt(bitWidth - 1)) v -= 1n << BigInt(bitWidth); // two's complement
    out[i] = plan.kind === 'decimal' ? v : decimalText(v, scale);
  }
  return out;
}

/** Exact text of an unscaled decimal: 12345, scale 2 → "123.45"; scale -2 → "1234500". */
export function decimalText(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  let digits = (neg ? -unscaled : unscaled).toString();
  if (scale <= 0) return (neg ? '-' : '') + digits + '0'.repeat(-scale);
  digits = digits.padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

// A dictionary is shared by every batch (and chunk) that uses it: decode it once.
const dictionaryCache = new WeakMap<Vector, ColumnPayload>();

function extractDictionary(d: Data, plan: ColumnPlan, valid: Uint8Array | undefined): ColumnPayload {
  if (!d.dictionary) throw new ArrowInputError('dictionary-encoded column without a dictionary');
  let dict = dictionaryCache.get(d.dictionary);
  if (!dict) {
    dict = extractVector(d.dictionary, plan);
    dictionaryCache.set(d.dictionary, dict);
  }
  const indices = d.values as ArrayLike<number | bigint>;
  const n = d.length;
  need(indices, d.offset + n);
  const size = d.dictionary.length;
  const dictValid = dict.valid;
  const outValid = new Uint8Array(n);
  const idx = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const k = Number(indices[d.offset + i]!);
    const ok = !valid || valid[i] === 1;
    if (ok && (k < 0 || k >= size)) throw new ArrowInputError(`dictionary index ${k} out of range (${size} entries)`);
    idx[i] = ok ? k : -1;
    outValid[i] = ok && (!dictValid || dictValid[k] === 1) ? 1 : 0;
  }
  return { values: gather(dict.values, idx, plan), valid: outValid };
}

function gather(values: ArrayLike<unknown>, idx: readonly number[], plan: ColumnPlan): ArrayLike<unknown> {
  const stride = plan.kind === 'interval' ? 3 : 1;
  const out = ArrayBuffer.isView(values) ? new (values.constructor as new (n: number) => { [i: number]: unknown; length: number })(idx.length * stride) : new Array<unknown>(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i]!;
    if (k < 0) {
      if (!ArrayBuffer.isView(values)) out[i] = null;
      continue;
    }
    for (let s = 0; s < stride; s++) out[i * stride + s] = values[k * stride + s];
  }
  return out as ArrayLike<unknown>;
}

function concatPayloads(parts: readonly ColumnPayload[], plan: ColumnPlan, length: number): ColumnPayload {
  const stride = plan.kind === 'interval' ? 3 : 1;
  const first = parts[0]!.values;
  const typed = ArrayBuffer.isView(first);
  const out = typed ? new (first.constructor as new (n: number) => { [i: number]: unknown; length: number })(length * stride) : new Array<unknown>(length);
  const valid = parts.some((p) => p.valid) ? new Uint8Array(length) : undefined;
  let at = 0;
  for (const p of parts) {
    const rows = p.values.length / stride;
    for (let i = 0; i < p.values.length; i++) out[at * stride + i] = p.values[i];
    if (valid) for (let i = 0; i < rows; i++) valid[at + i] = p.valid ? p.valid[i]! : 1;
    at += rows;
  }
  return { values: out as ArrayLike<unknown>, valid };
}

/** A nested Arrow value as plain JSON: 64-bit integers as strings, binary as hex, non-finite numbers as text. */
export function plainJson(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  if (v instanceof Vector) return Array.from(v as Iterable<unknown>, plainJson);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, plainJson);
  if (Array.isArray(v)) return v.map(plainJson);
  if (typeof v === 'object') {
    const obj = v as { [Symbol.iterator]?: unknown; toJSON?: () => unknown };
    if (obj.constructor?.name === 'MapRow' && typeof obj[Symbol.iterator] === 'function') {
      return Array.from(v as Iterable<[unknown, unknown]>, ([k, val]) => ({ key: plainJson(k), value: plainJson(val) }));
    }
    const src = typeof obj.toJSON === 'function' ? (obj.toJSON() as Record<string, unknown>) : (v as Record<string, unknown>);
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(src)) out[k] = plainJson(val);
    return out;
  }
  return String(v);
}
