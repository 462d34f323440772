import type { Engine, Row } from '../engine/engine.js';
import { finding } from '../findings/report.js';
import type { Finding, Stage } from '../findings/types.js';
import { ident, literal } from '../engine/quote.js';
import { NULL_SPELLINGS, retype } from './refine.js';
import type { ReadNote } from './refine.js';
import type { ColumnInfo, Dataset } from './register.js';
import { UNNAMED_INDEX } from './unnamed.js';
import { paddedSql } from './guarded.js';
import { holds } from './temporal.js';

type Family = 'integer' | 'float' | 'boolean' | 'date' | 'timestamp' | 'text' | 'other';

function family(type: string): Family {
  const t = type.toUpperCase();
  if (/^(U?TINYINT|U?SMALLINT|U?INTEGER|U?BIGINT|U?HUGEINT)$/.test(t)) return 'integer';
  if (t === 'DOUBLE' || t === 'FLOAT' || t === 'REAL' || t.startsWith('DECIMAL')) return 'float';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'DATE') return 'date';
  if (t.startsWith('TIMESTAMP') && !t.includes('TIME ZONE')) return 'timestamp';
  if (t === 'VARCHAR') return 'text';
  return 'other';
}

/** Epoch units, with the DuckDB expression turning an integer in that unit into a TIMESTAMP. */
const EPOCH_UNITS: readonly { unit: string; perSecond: number; sql: (x: string) => string }[] = [
  { unit: 'seconds', perSecond: 1, sql: (x) => `make_timestamp(CAST(${x} AS BIGINT) * 1000000)` },
  { unit: 'milliseconds', perSecond: 1e3, sql: (x) => `epoch_ms(CAST(${x} AS BIGINT))` },
  { unit: 'microseconds', perSecond: 1e6, sql: (x) => `make_timestamp(CAST(${x} AS BIGINT))` },
  { unit: 'nanoseconds', perSecond: 1e9, sql: (x) => `make_timestamp(CAST(${x} AS BIGINT) // 1000)` },
];

interface Side {
  d: Dataset;
  columns: ColumnInfo[];
  notes: ReadNote[];
  dropped: Set<string>;
  fileNames: Record<string, string>;
}

/**
 * DuckDB's sniffer types each file on its own. Before two sides are compared, a column whose sniffed
 * types disagree is given one type decided from both: the text side is re-typed when all its text
 * reads as the other side's type; booleans written as 1/0 against words, and timestamps written as
 * epoch integers, are read in the other side's encoding and named (`encoding_change`, info); a text
 * column of decimal-comma numbers gets a hint. Only tables loaded from text are changed, in place; the
 * values shown later are always the file's own (or their reading in the decided type).
 */
export async function reconcilePair(engine: Engine, research: Dataset, production: Dataset, rename: Readonly<Record<string, string>> = {}): Promise<[Dataset, Dataset]> {
  if (!research.loaded && !production.loaded) return [research, production];
  const side = (d: Dataset): Side => ({ d, columns: [...d.columns], notes: [...(d.notes ?? [])], dropped: new Set(), fileNames: { ...(d.fileNames ?? {}) } });
  const a = side(research);
  const b = side(production);
  await alignFileNames(engine, a, b);
  await dropLoneIndex(engine, a, b);
  await dropLoneIndex(engine, b, a);
  const byName = new Map(b.columns.map((c) => [c.name, c]));
  const textPairs: [string, string][] = [];
  for (const ca of a.columns) {
    const cb = byName.get(rename[ca.name] ?? ca.name);
    if (!cb) continue;
    const fa = family(ca.type);
    const fb = family(cb.type);
    if (fa === 'text' && fb === 'text') textPairs.push([ca.name, cb.name]);
    if (fa === fb) continue;
    if (fa === 'text') await textToOther(engine, a, ca, b, cb);
    else if (fb === 'text') await textToOther(engine, b, cb, a, ca);
    else if (fa === 'boolean' && fb === 'integer') await digitsAsBoolean(engine, b, cb, a, ca);
    else if (fb === 'boolean' && fa === 'integer') await digitsAsBoolean(engine, a, ca, b, cb);
    else if ((fa === 'timestamp' || fa === 'date') && fb === 'integer') await epochAsTimestamp(engine, b, cb, a, ca);
    else if ((fb === 'timestamp' || fb === 'date') && fa === 'integer') await epochAsTimestamp(engine, a, ca, b, cb);
  }
  for (const ca of a.columns) {
    const cb = b.columns.find((c) => c.name === (rename[ca.name] ?? ca.name));
    if (!cb) continue;
    if (a.d.dayMonth?.[ca.name]?.ambiguous) await decideDayMonth(engine, a, ca, b, cb);
    if (b.d.dayMonth?.[cb.name]?.ambiguous) await decideDayMonth(engine, b, cb, a, ca);
  }
  if (textPairs.length) await missingAsText(engine, a, b, textPairs);
  const done = (s: Side): Dataset => ({ ...s.d, columns: s.columns.filter((c) => !s.dropped.has(c.name)), notes: s.notes, fileNames: s.fileNames });
  return [done(a), done(b)];
}

/**
 * A column DuckDB renamed on one side (names differing only in case: `emb_s` → `emb_s_1`) is paired by its
 * name in the file: the same file name gets the same internal name on both sides, by renaming the loaded
 * side's column where that name is free.
 */
async function alignFileNames(engine: Engine, a: Side, b: Side): Promise<void> {
  const shown = (s: Side, c: ColumnInfo) => s.fileNames[c.name] ?? c.name;
  const free = (s: Side, name: string, except: string) => !s.columns.some((c) => c.name !== except && c.name.toLowerCase() === name.toLowerCase());
  const names = new Set([...Object.values(a.fileNames), ...Object.values(b.fileNames)]);
  for (const n of names) {
    const ca = a.columns.find((c) => shown(a, c) === n);
    const cb = b.columns.find((c) => shown(b, c) === n);
    if (!ca || !cb || ca.name === cb.name) continue;
    const rename = async (s: Side, from: string, to: string) => {
      await engine.run(`ALTER TABLE ${s.d.relation} RENAME COLUMN ${ident(from)} TO ${ident(to)}`);
      s.columns = s.columns.map((c) => (c.name === from ? { ...c, name: to } : c));
      delete s.fileNames[from];
      if (to !== n) s.fileNames[to] = n;
    };
    // Rename on one side to the other side's internal name, where that name is free; else both to a fresh one.
    if (b.d.loaded && free(b, ca.name, cb.name)) await rename(b, cb.name, ca.name);
    else if (a.d.loaded && free(a, cb.name, ca.name)) await rename(a, ca.name, cb.name);
    else if (a.d.loaded && b.d.loaded) {
      let k = 1;
      while (!free(a, `${n}_${k}`, ca.name) || !free(b, `${n}_${k}`, cb.name)) k++;
      await rename(a, ca.name, `${n}_${k}`);
      await rename(b, cb.name, `${n}_${k}`);
    }
  }
}

function setType(s: Side, name: string, type: string): void {
  s.columns = s.columns.map((c) => (c.name === name ? { name, type } : c));
}

/**
 * An unnamed index on one side only (pandas `index=True`, R's row names) that numbers the rows
 * 0…n−1 or 1…n is the writer's, not data: it is left out, and said so.
 */
async function dropLoneIndex(engine: Engine, s: Side, other: Side): Promise<void> {
  const col = s.columns.find((c) => c.name === UNNAMED_INDEX);
  if (!col || !s.d.loaded || other.columns.some((c) => c.name === UNNAMED_INDEX) || family(col.type) !== 'integer') return;
  const x = ident(UNNAMED_INDEX);
  const r = await engine.one(`SELECT count(*) AS n, count(${x}) AS c, count(DISTINCT ${x}) AS k, min(${x}) AS lo, max(${x}) AS hi FROM ${s.d.relation}`);
  const n = Number(r.n);
  const lo = Number(r.lo);
  if (!(n > 0 && Number(r.c) === n && Number(r.k) === n && (lo === 0 || lo === 1) && Number(r.hi) === lo + n - 1)) return;
  await engine.run(`ALTER TABLE ${s.d.relation} DROP COLUMN ${x}`);
  s.dropped.add(UNNAMED_INDEX);
  s.notes.push({
    cause: 'column_extra',
    column: UNNAMED_INDEX,
    rows: null,
    message: `${s.d.label} has an unnamed index column (a pandas index or R row names written without a name, numbering the rows ${lo}…${lo + n - 1}): not data, left out`,
    evidence: { from: lo, to: lo + n - 1 },
  });
}

/** Text on one side, a typed column on the other: the text is read in that type when all of it parses so. */
async function textToOther(engine: Engine, t: Side, tc: ColumnInfo, o: Side, oc: ColumnInfo): Promise<void> {
  if (!t.d.loaded) return;
  const fo = family(oc.type);
  const x = `trim(${ident(tc.name)})`;
  const spelled = `${ident(tc.name)} IN (${NULL_SPELLINGS.map(literal).join(', ')})`;
  const v = `CASE WHEN ${spelled} THEN NULL ELSE ${x} END`;
  const r = await engine.one(
    `SELECT count(${v}) AS n,
       count(*) FILTER (WHERE regexp_full_match(${v}, '[+-]?[0-9]+') AND TRY_CAST(${v} AS HUGEINT) IS NOT NULL) AS i,
       count(TRY_CAST(${v} AS DOUBLE)) AS d,
       count(*) FILTER (WHERE lower(${v}) IN ('true', 'false', 't', 'f', 'yes', 'no', 'y', 'n')) AS b,
       count(*) FILTER (WHERE TRY_CAST(${v} AS TIMESTAMP) = CAST(TRY_CAST(${v} AS DATE) AS TIMESTAMP) AND length(${v}) <= 10) AS a,
       count(*) FILTER (WHERE ${holds(v, 'TIMESTAMP')}) AS ts,
       count(*) FILTER (WHERE ${paddedSql(v)}) AS pad,
       count(*) FILTER (WHERE regexp_full_match(${v}, '[+-]?[0-9]*,[0-9]+')) AS comma,
       count(*) FILTER (WHERE ${spelled}) AS sp,
       list_distinct(list(${ident(tc.name)}) FILTER (WHERE ${spelled}))[1:5] AS spellings
     FROM ${t.d.relation}`,
  );
  const n = Number(r.n);
  // Nothing but spellings (a column of NA): an empty column, read in the other side's type.
  if (n === 0 && Number(r.sp) === 0) return;
  let type = n === 0 ? oc.type : typeForText(fo, oc.type, r, n);
  if (type === 'BIGINT' && Number(r.i) === n) {
    // HUGEINT passed the count; BIGINT may not hold every value.
    const fits = await engine.one(`SELECT count(*) FILTER (WHERE TRY_CAST(${v} AS BIGINT) IS NOT NULL) AS k FROM ${t.d.relation}`);
    if (Number(fits.k) !== n) type = 'HUGEINT';
  }
  if (type) {
    // The text's own boolean words, read before the column is re-typed.
    if (type === 'BOOLEAN') {
      const words = await engine.one(`SELECT list_distinct(list(lower(${v})))[1:4] AS w FROM ${t.d.relation}`);
      const spelled = ((words.w as unknown[] | null) ?? [])
        .map(String)
        .filter((w) => w !== 'true' && w !== 'false')
        .sort();
      if (spelled.length) {
        t.notes.push({
          cause: 'encoding_change',
          column: tc.name,
          rows: null,
          message: `${t.d.label} writes the booleans of ${tc.name} as ${spelled.join('/')}, ${o.d.label} as ${family(oc.type) === 'boolean' ? 'true/false' : oc.type}: compared as truth values`,
          evidence: { encoding: spelled.join('/'), other: 'true/false' },
        });
      }
    }
    const spellings = ((r.spellings as unknown[] | null) ?? []).map(String).sort();
    await retype(engine, t.d.relation, tc.name, type, spellings);
    setType(t, tc.name, type);
    if (Number(r.sp) > 0) {
      t.notes.push({
        cause: 'null_spelling',
        column: tc.name,
        rows: Number(r.sp),
        message: `${t.d.label} writes missing values of ${tc.name} as ${spellings.map((s) => (s === '' ? '""' : s)).join(', ')} (${Number(r.sp)} rows): read as null, the column as ${type} like ${o.d.label}`,
        evidence: { spellings, rows: Number(r.sp), type },
      });
    }
    return;
  }
  if ((fo === 'float' || fo === 'integer') && Number(r.comma) > 0 && Number(r.comma) + Number(r.i) === n) {
    t.notes.push({
      cause: 'encoding_change',
      column: tc.name,
      rows: Number(r.comma),
      message: `${t.d.label} writes ${tc.name} with a decimal comma (${Number(r.comma)} values like 1,5): read it with --decimal , to compare the numbers`,
      evidence: { decimal: ',', rows: Number(r.comma) },
    });
  }
}

/**
 * The type all of a text column reads as, given the other side's family; null when some value does not. A
 * zero-padded integer (`00501`) is a code, not a number: such a column stays text against numbers (text-typed.ts then
 * names the padding), and a timestamp is one only when its cast keeps the instant (an offset, nanoseconds).
 */
function typeForText(fo: Family, otherType: string, r: Row, n: number): string | null {
  const all = (k: string) => Number(r[k]) === n;
  if ((fo === 'integer' || fo === 'float') && Number(r.pad) > 0) return null;
  switch (fo) {
    case 'integer':
      return all('i') ? (otherType.toUpperCase().includes('HUGEINT') ? 'HUGEINT' : 'BIGINT') : all('d') ? 'DOUBLE' : null;
    case 'float':
      return all('d') ? 'DOUBLE' : null;
    case 'boolean':
      return all('b') ? 'BOOLEAN' : null;
    case 'date':
      return all('a') ? 'DATE' : all('ts') ? 'TIMESTAMP' : null;
    case 'timestamp':
      return all('ts') ? 'TIMESTAMP' : null;
    default:
      return null;
  }
}

/**
 * A date column whose every value reads both as day/month and as month/day (no day above 12): the order is
 * decided by the other side's values (the reading that matches more of its dates), and said so either way.
 */
async function decideDayMonth(engine: Engine, s: Side, sc: ColumnInfo, o: Side, oc: ColumnInfo): Promise<void> {
  const fo = family(oc.type);
  const read = s.d.dayMonth![sc.name]!;
  const other = read.order === 'day/month' ? 'month/day' : 'day/month';
  const x = ident(sc.name);
  const swapped = `CAST(${x} + to_days(CAST(make_date(year(${x}), day(${x}), month(${x})) - CAST(${x} AS DATE) AS INTEGER)) AS ${sc.type})`;
  let decided: 'kept' | 'swapped' | 'undecided' = 'undecided';
  const otherAmbiguous = o.d.dayMonth?.[oc.name]?.ambiguous === true;
  if ((fo === 'date' || fo === 'timestamp') && !otherAmbiguous) {
    const y = `CAST(${ident(oc.name)} AS TIMESTAMP)`;
    const r = await engine.one(
      `WITH o AS (SELECT DISTINCT ${y} AS v FROM ${o.d.relation} WHERE ${y} IS NOT NULL)
       SELECT count(*) FILTER (WHERE CAST(${x} AS TIMESTAMP) IN (SELECT v FROM o)) AS kept, count(*) FILTER (WHERE CAST(${swapped} AS TIMESTAMP) IN (SELECT v FROM o)) AS swapped FROM ${s.d.relation}`,
    );
    decided = Number(r.swapped) > Number(r.kept) ? 'swapped' : Number(r.kept) > Number(r.swapped) ? 'kept' : 'undecided';
  }
  if (decided === 'swapped' && s.d.loaded) await engine.run(`ALTER TABLE ${s.d.relation} ALTER COLUMN ${x} TYPE ${sc.type} USING (${swapped})`);
  const order = decided === 'swapped' ? other : read.order;
  s.notes.push({
    cause: 'encoding_change',
    column: sc.name,
    rows: null,
    message:
      decided === 'undecided'
        ? `${s.d.label} writes ${sc.name} with numbers for day and month, none above 12: they cannot be told apart; read as ${order}`
        : `${s.d.label} writes ${sc.name} with numbers for day and month, none above 12: read as ${order}, the order that agrees with ${o.d.label}'s dates`,
    evidence: { dayMonth: order, decided: decided !== 'undecided' },
  });
}

/** Booleans as words on one side, 1/0 on the other: the same truth values in another encoding. */
async function digitsAsBoolean(engine: Engine, i: Side, ic: ColumnInfo, w: Side, wc: ColumnInfo): Promise<void> {
  if (!i.d.loaded) return;
  const x = ident(ic.name);
  const r = await engine.one(`SELECT count(${x}) AS n, count(*) FILTER (WHERE ${x} IN (0, 1)) AS k FROM ${i.d.relation}`);
  if (Number(r.n) === 0 || Number(r.k) !== Number(r.n)) return;
  await engine.run(`ALTER TABLE ${i.d.relation} ALTER COLUMN ${x} TYPE BOOLEAN USING (${x} = 1)`);
  setType(i, ic.name, 'BOOLEAN');
  i.notes.push({
    cause: 'encoding_change',
    column: ic.name,
    rows: null,
    message: `${i.d.label} writes the booleans of ${ic.name} as 1/0, ${w.d.label} as words (${wc.name}): compared as truth values`,
    evidence: { encoding: '1/0', other: 'words' },
  });
}

/**
 * Integers on one side, timestamps on the other: epoch integers (pandas' to_json writes dates as epoch
 * milliseconds) when, read in one unit, they fall within the other side's range. Read in that unit.
 */
async function epochAsTimestamp(engine: Engine, i: Side, ic: ColumnInfo, t: Side, tc: ColumnInfo): Promise<void> {
  if (!i.d.loaded) return;
  const x = ident(ic.name);
  const y = ident(tc.name);
  const ri = await engine.one(`SELECT min(${x})::DOUBLE AS lo, max(${x})::DOUBLE AS hi, count(${x}) AS n FROM ${i.d.relation}`);
  const rt = await engine.one(`SELECT epoch(min(${y})) AS lo, epoch(max(${y})) AS hi FROM ${t.d.relation}`);
  if (Number(ri.n) === 0 || rt.lo === null) return;
  const tlo = Number(rt.lo);
  const thi = Number(rt.hi);
  const slack = Math.max(thi - tlo, 86400);
  const unit = EPOCH_UNITS.find((u) => Number(ri.lo) / u.perSecond >= tlo - slack && Number(ri.hi) / u.perSecond <= thi + slack);
  if (!unit) return;
  await engine.run(`ALTER TABLE ${i.d.relation} ALTER COLUMN ${x} TYPE TIMESTAMP USING (${unit.sql(x)})`);
  setType(i, ic.name, 'TIMESTAMP');
  i.notes.push({
    cause: 'encoding_change',
    column: ic.name,
    rows: null,
    message: `${i.d.label} writes ${ic.name} as epoch ${unit.unit}, ${t.d.label} as ${tc.type === 'DATE' ? 'dates' : 'timestamps'}: compared as instants`,
    evidence: { unit: unit.unit },
  });
}

/**
 * Two text columns: a writer that spells missing values (`NA`, a quoted `""`) on one side, where the
 * other side has real nulls and never that spelling, meant null. Read as null, and said so.
 */
async function missingAsText(engine: Engine, a: Side, b: Side, pairs: readonly [string, string][]): Promise<void> {
  const nullCounts = async (s: Side, names: string[]) => {
    const r = await engine.one(`SELECT ${names.map((n, i) => `count(*) - count(${ident(n)}) AS z${i}`).join(', ')} FROM ${s.d.relation}`);
    return names.map((_n, i) => Number(r[`z${i}`]));
  };
  // Spellings are looked for only where they could be the other side's nulls: a column without nulls whose pair has
  // some (a null count is cheap; the spelling test reads every value).
  const za = await nullCounts(
    a,
    pairs.map((p) => p[0]),
  );
  const zb = await nullCounts(
    b,
    pairs.map((p) => p[1]),
  );
  // Both sides of a candidate pair: a spelling the side with nulls also has is not the writer's null.
  const candidate = (i: number) => (za[i] === 0 && zb[i]! > 0) || (zb[i] === 0 && za[i]! > 0);
  const spelled = async (s: Side, names: string[], nulls: readonly number[]) => {
    const list = NULL_SPELLINGS.map(literal).join(', ');
    const wanted = names.map((n, i) => ({ n, i })).filter(({ i }) => candidate(i));
    const r = wanted.length
      ? await engine.one(
          `SELECT ${wanted.map(({ n, i }) => `list_distinct(list(${ident(n)}) FILTER (WHERE ${ident(n)} IN (${list}))) AS s${i}, count(*) FILTER (WHERE ${ident(n)} IN (${list})) AS k${i}`).join(', ')} FROM ${s.d.relation}`,
        )
      : {};
    return names.map((_n, i) => ({ nulls: nulls[i]!, spellings: ((r[`s${i}`] as unknown[] | null | undefined) ?? []).map(String).sort(), rows: Number(r[`k${i}`] ?? 0) }));
  };
  const sa = await spelled(
    a,
    pairs.map((p) => p[0]),
    za,
  );
  const sb = await spelled(
    b,
    pairs.map((p) => p[1]),
    zb,
  );
  for (let i = 0; i < pairs.length; i++) {
    for (const [s, so, name, st, ot] of [
      [a, b, pairs[i]![0], sa[i]!, sb[i]!],
      [b, a, pairs[i]![1], sb[i]!, sa[i]!],
    ] as const) {
      // The spelled rows must be as many as the other side's nulls: a value that merely looks like a spelling stays.
      if (!s.d.loaded || st.nulls > 0 || st.spellings.length === 0 || ot.nulls !== st.rows || ot.spellings.some((x) => st.spellings.includes(x))) continue;
      await retype(engine, s.d.relation, name, 'VARCHAR', st.spellings);
      s.notes.push({
        cause: 'null_spelling',
        column: name,
        rows: st.rows,
        message: `${s.d.label} writes missing values of ${name} as ${st.spellings.map((x) => (x === '' ? '""' : x)).join(', ')} (${st.rows} rows) where ${so.d.label} has nulls: read as null`,
        evidence: { spellings: st.spellings, rows: st.rows, type: 'VARCHAR' },
      });
    }
  }
}

/** The notes of both sides' reading as info findings of a stage (research first). */
export function readingFindings(stage: Stage, research: Dataset, production: Dataset): Finding[] {
  return [research, production].flatMap((d) =>
    (d.notes ?? []).map((n) =>
      finding({
        stage,
        severity: 'info',
        cause: n.cause,
        columns: [n.column],
        rowsAffected: n.rows,
        message: n.message,
        evidence: { side: d === research ? 'research' : 'production', ...n.evidence },
      }),
    ),
  );
}
