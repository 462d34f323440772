/**
 * The wide-table path of profiling: the same statistics as `columnAggregates`, but with a constant number of
 * aggregate expressions however many columns there are.
 *
 * DuckDB's cost grows with the number of aggregate expressions in a query (13 per numeric column), so a
 * 2,000-column table took seconds per chunk even with 3 rows. Here the columns of one family are unpivoted
 * into (col, value) rows with parallel `unnest`s of list literals, and the aggregates are written once under
 * `GROUP BY col`. Values are unpivoted in a type that keeps every statistic identical to the narrow path:
 *
 * - integers as HUGEINT (exact `count(DISTINCT)` and exact HUGEINT `sum`) next to `CAST(c AS DOUBLE)` of the
 *   original column (the narrow path's `x`; HUGEINT→DOUBLE would round twice);
 * - floats as DOUBLE (FLOAT→DOUBLE is injective; DuckDB's DISTINCT treats -0.0 = 0.0 and all NaNs as one
 *   value on both, grouped or not);
 * - decimals in their own type, one unpivot per DECIMAL(p,s), next to their DOUBLE;
 * - strings (VARCHAR, ENUM, UUID) as VARCHAR, booleans as BOOLEAN, dates/timestamps/times in their own type.
 *
 * `unnest` keeps NULLs, so they are filtered out (`WHERE v IS NOT NULL`): `nulls = rows − count` still holds, and a
 * column with no value at all has no group, which reads as the narrow path's aggregates over nothing (count 0,
 * everything else NULL). Columns of other types (nested, BLOB, INTERVAL, UHUGEINT, …) keep the narrow
 * aggregates (2 per column for most), in chunks.
 *
 * The results are returned as the narrow path's row (`c<i>_<stat>` keys), so `readProfile` reads both alike.
 * Float sums (`fsum`) and `stddev_samp` may differ from the narrow path in the last bits (another summation
 * order); the profile rounds them to 12 significant digits, as it does for parallel aggregation.
 */
import type { Engine, Row } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import type { ColumnInfo } from '../../sources/register.js';
import { isTemporalKind, kindOf } from './columns.js';
import type { CategoryCounts } from './profile-sql.js';
import { PROFILE_CHUNK, QUANTILE_LEVELS, categoryCountsSql, columnAggregates, fingerprintExpr } from './profile-sql.js';
import { toNumber } from '../shared/values.js';

/**
 * Values (rows × columns) unpivoted per query at most: bounds the memory the quantile and DISTINCT states hold,
 * like the narrow path's 64 columns per scan. Small tables unpivot every column of a family in one query.
 */
export const WIDE_CELLS = 1 << 25;

/** How a family of columns is unpivoted and aggregated. */
interface Family {
  /** Group key: columns with the same key are unpivoted together. */
  readonly key: string;
  /** `v`: the value in the family's common type (nulls dropped, count and DISTINCT on it). */
  readonly value: (c: string) => string;
  /** `x`: the value as DOUBLE (numeric families only). */
  readonly double?: (c: string) => string;
  /** Aggregates over `v` and `x`, as [stat, expression] (the stat names of `columnAggregates`). */
  readonly aggregates: readonly (readonly [string, string])[];
}

const when = (cond: string, v = '1') => `CASE WHEN ${cond} THEN ${v} END`;

/** The numeric statistics over `v` (exact value) and `x` (its DOUBLE); `exactSum` sums `v` exactly (integers). */
function numericAggregates(x: string, exactSum: boolean): [string, string][] {
  const finite = `isfinite(${x})`;
  return [
    ['count', 'count(v)'],
    ['distinct', 'count(DISTINCT v)'],
    ['nan', `count(${when(`isnan(${x})`)})`],
    ['posinf', `count(${when(`${x} = 'inf'::DOUBLE`)})`],
    ['neginf', `count(${when(`${x} = '-inf'::DOUBLE`)})`],
    ['zeros', `count(${when(`${x} = 0`)})`],
    ['min', `min(${when(finite, x)})`],
    ['max', `max(${when(finite, x)})`],
    // Integers sum exactly (HUGEINT, as the narrow `sum(c)`); floats and decimals use the compensated fsum.
    ['sum', exactSum ? 'sum(v)' : `fsum(${when(finite, x)})`],
    ['abssum', `fsum(abs(${when(finite, x)}))`],
    ['std', `stddev_samp(${when(finite, x)})`],
    ['q', `quantile_cont(${when(finite, x)}, [${QUANTILE_LEVELS.join(', ')}])`],
  ];
}

const asDouble = (c: string) => `CAST(${c} AS DOUBLE)`;

/** The family a column is profiled in, or null for the narrow aggregates. */
export function familyOf(column: ColumnInfo): Family | null {
  const kind = kindOf(column.type);
  const type = column.type.toUpperCase();
  switch (kind) {
    case 'integer':
      // UHUGEINT does not fit HUGEINT, and its narrow sum is a DOUBLE.
      if (type === 'UHUGEINT' || type === 'UINT128') return null;
      return { key: 'integer', value: (c) => `CAST(${c} AS HUGEINT)`, double: asDouble, aggregates: numericAggregates('x', true) };
    case 'float':
      return { key: 'float', value: asDouble, aggregates: numericAggregates('v', false) };
    case 'decimal':
      return { key: `decimal ${type}`, value: (c) => c, double: asDouble, aggregates: numericAggregates('x', false) };
    case 'string':
      return {
        key: 'string',
        value: (c) => `CAST(${c} AS VARCHAR)`,
        aggregates: [
          ['count', 'count(v)'],
          ['distinct', 'count(DISTINCT v)'],
          ['minlen', 'min(length(v))'],
          ['maxlen', 'max(length(v))'],
          ['meanlen', 'avg(length(v))'],
          ['empty', `count(${when(`v = ''`)})`],
        ],
      };
    case 'boolean':
      return {
        key: 'boolean',
        value: (c) => `CAST(${c} AS BOOLEAN)`,
        aggregates: [
          ['count', 'count(v)'],
          ['distinct', 'count(DISTINCT v)'],
          ['trues', `count(${when('v')})`],
        ],
      };
    default:
      if (isTemporalKind(kind) || kind === 'time') {
        // In their own type: min/max and DISTINCT of the values, not of their text.
        return {
          key: `temporal ${type}`,
          value: (c) => c,
          aggregates: [
            ['count', 'count(v)'],
            ['distinct', 'count(DISTINCT v)'],
            ['min', 'TRY_CAST(min(v) AS VARCHAR)'],
            ['max', 'TRY_CAST(max(v) AS VARCHAR)'],
          ],
        };
      }
      return null;
  }
}

/** A family's SELECT: one unpivot of the given columns (positions `0..n-1` as `col`), aggregates written once. */
export function wideProfileSql(relation: string, family: Family, columns: readonly ColumnInfo[]): string {
  const list = (f: (c: string) => string) => `[${columns.map((c) => f(ident(c.name))).join(', ')}]`;
  const unnests = [`unnest(range(${columns.length})) AS col`, `unnest(${list(family.value)}) AS v`];
  // The DOUBLE rides along only when it is not `v` itself (the float family aggregates `v` directly).
  if (family.double) unnests.push(`unnest(${list(family.double)}) AS x`);
  const aggs = family.aggregates.map(([stat, e]) => `${e} AS ${ident(stat)}`);
  return `SELECT col, ${aggs.join(', ')}\nFROM (SELECT ${unnests.join(', ')} FROM ${relation})\nWHERE v IS NOT NULL\nGROUP BY col`;
}

/**
 * The narrow path's result row for `columns` (keys `n_rows`, `fingerprint`, `c<i>_<stat>`), computed with a
 * constant number of aggregate expressions per family. `cells` bounds rows × columns per unpivot.
 */
export async function wideProfileRow(engine: Engine, relation: string, columns: readonly ColumnInfo[], cells = WIDE_CELLS): Promise<Row> {
  const row: Row = { ...(await engine.one(`SELECT count(*) AS n_rows, ${fingerprintExpr(columns)} AS fingerprint FROM ${relation}`)) };
  const rows = toNumber(row.n_rows) ?? 0;
  const perQuery = Math.max(PROFILE_CHUNK, Math.floor(cells / Math.max(1, rows)));

  const families = new Map<string, { family: Family; members: { column: ColumnInfo; index: number }[] }>();
  const narrow: { column: ColumnInfo; index: number }[] = [];
  columns.forEach((column, index) => {
    const family = familyOf(column);
    if (!family) return void narrow.push({ column, index });
    const entry = families.get(family.key) ?? { family, members: [] };
    entry.members.push({ column, index });
    families.set(family.key, entry);
  });

  for (const { family, members } of families.values()) {
    for (let s = 0; s < members.length; s += perQuery) {
      const part = members.slice(s, s + perQuery);
      const result = await engine.all(
        wideProfileSql(
          relation,
          family,
          part.map((m) => m.column),
        ),
      );
      for (const r of result) {
        const index = part[Number(r.col)]!.index;
        for (const [stat] of family.aggregates) row[`c${index}_${stat}`] = r[stat];
      }
    }
  }
  // Everything else keeps the narrow aggregates (count and DISTINCT for most), a chunk per scan.
  for (let s = 0; s < narrow.length; s += PROFILE_CHUNK) {
    const aggs = narrow.slice(s, s + PROFILE_CHUNK).flatMap((m) => columnAggregates(m.column, m.index));
    Object.assign(row, await engine.one(`SELECT ${aggs.join(',\n  ')}\nFROM ${relation}`));
  }
  return row;
}

/** Types whose text (TRY_CAST … AS VARCHAR) is one-to-one with their values, so counting texts counts values. */
function textIsExact(column: ColumnInfo): boolean {
  const kind = kindOf(column.type);
  const type = column.type.toUpperCase();
  if (kind === 'time') return !type.includes('TIME ZONE') && type !== 'TIMETZ';
  // Floats are not: -0.0 and 0.0 are one value with two texts.
  return kind === 'integer' || kind === 'decimal' || kind === 'string' || kind === 'boolean' || isTemporalKind(kind);
}

/** `categoryCountsSql`'s result for many columns: one unpivot to (col_idx, v VARCHAR) grouped by both. */
export function wideCategoryCountsSql(relation: string, names: readonly string[], cap: number): string {
  return `WITH u AS (
  SELECT unnest(range(${names.length})) AS col_idx, unnest([${names.map((n) => `TRY_CAST(${ident(n)} AS VARCHAR)`).join(', ')}]) AS v FROM ${relation}
), g AS (
  SELECT col_idx, v, count(*) AS n FROM u WHERE v IS NOT NULL GROUP BY col_idx, v
), ranked AS (
  SELECT col_idx, v, n, row_number() OVER (PARTITION BY col_idx ORDER BY n DESC, v ASC) AS rn,
         count(*) OVER (PARTITION BY col_idx) AS n_distinct
  FROM g
)
SELECT col_idx, v, n, n_distinct FROM ranked WHERE rn <= ${Math.max(1, Math.floor(cap))} ORDER BY col_idx, rn`;
}

/**
 * `categoryCounts` for many columns. Columns whose text is one-to-one with their values are counted as text in
 * one unpivot (in column batches bounded by `cells` once the row count is known); the rest (floats, nested and
 * zoned-time types) keep GROUPING SETS, a chunk at a time.
 */
export async function wideCategoryCounts(engine: Engine, relation: string, columns: readonly ColumnInfo[], cap: number, cells = WIDE_CELLS): Promise<Map<string, CategoryCounts>> {
  const out = new Map<string, CategoryCounts>();
  const read = (rows: Row[], names: readonly string[]) => {
    for (const r of rows) {
      const name = names[Number(r.col_idx)]!;
      const entry = out.get(name) ?? { values: [], distinct: toNumber(r.n_distinct) ?? 0 };
      entry.values.push({ value: String(r.v), count: toNumber(r.n) ?? 0 });
      out.set(name, entry);
    }
  };
  const text = columns.filter(textIsExact).map((c) => c.name);
  const grouped = columns.filter((c) => !textIsExact(c)).map((c) => c.name);
  if (text.length > 0) {
    const rows = toNumber((await engine.one(`SELECT count(*) AS n FROM ${relation}`)).n) ?? 0;
    const perQuery = Math.max(PROFILE_CHUNK, Math.floor(cells / Math.max(1, rows)));
    for (let s = 0; s < text.length; s += perQuery) {
      const names = text.slice(s, s + perQuery);
      read(await engine.all(wideCategoryCountsSql(relation, names, cap)), names);
    }
  }
  for (let s = 0; s < grouped.length; s += PROFILE_CHUNK) {
    const names = grouped.slice(s, s + PROFILE_CHUNK);
    read(await engine.all(categoryCountsSql(relation, names, cap)), names);
  }
  // Map insertion in the caller's column order, as the narrow path gives it.
  return new Map(columns.filter((c) => out.has(c.name)).map((c) => [c.name, out.get(c.name)!]));
}
