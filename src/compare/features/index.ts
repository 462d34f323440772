import type { Engine } from '../../engine/engine.js';
import { ident } from '../../engine/quote.js';
import { finding } from '../../findings/report.js';
import type { Finding, StageOutcome } from '../../findings/types.js';
import type { FeaturesSummary, HandlingSide } from '../../findings/summaries.js';
import { formatCount, formatPercent } from '../../text/format.js';
import type { Dataset } from '../../sources/register.js';
import { ReprodiffError } from '../../errors.js';
import { compareDatasets, toOutcome } from '../data/index.js';
import type { DataCompareOptions, DataComparison } from '../data/index.js';
import type { ColumnProfile } from '../data/profile.js';
import type { ColumnPair } from '../data/columns.js';
import { toPlain } from '../shared/values.js';

export interface FeatureCompareOptions extends DataCompareOptions {
  /** Column with the event time: reports the last time each feature was populated. */
  readonly timeColumn?: string;
}

/** A non-null rate that fell below this share of research's counts as "infrequent". */
const INFREQUENT_RATIO = 0.5;
/** …and by at least this many percentage points, so 2% → 0.9% is not an alarm. */
const INFREQUENT_MIN_DROP = 0.05;

/**
 * The `features` stage: everything `data` does, plus the distribution tests on every column and the
 * handling checks (nulls, NaN, infinities, zeros, clipping, infrequent variables).
 */
export async function compareFeatures(engine: Engine, research: Dataset, production: Dataset, options: FeatureCompareOptions = {}): Promise<StageOutcome & { comparison: DataComparison }> {
  const compared = await compareDatasets(engine, research, production, { ...options, drift: { ...options.drift, always: true } }, 'features');
  // The event time moves with the period by design: it orders the rows, it is not a feature to drift-test.
  const comparison = options.timeColumn ? withoutDrift(compared, options.timeColumn) : compared;
  const handling = handlingSummary(comparison);
  const extra: Finding[] = [...infrequentFindings(comparison)];
  if (!comparison.keyed && comparison.profiles) extra.push(...keylessHandlingFindings(comparison));
  const lastPopulated = options.timeColumn ? await lastPopulatedTimes(engine, comparison, options.timeColumn) : undefined;
  return { ...toOutcome(comparison, extra, { handling, ...(lastPopulated ? { lastPopulated } : {}) }), comparison };
}

const rate = (n: number | undefined, of: number) => (of > 0 && n !== undefined ? n / of : null);

/** Per column: null, NaN, zero rates, infinities and range, on both sides. */
function handlingSummary(c: DataComparison): FeaturesSummary['handling'] {
  if (!c.profiles) return {};
  const out: Record<string, FeaturesSummary['handling'][string]> = {};
  for (const p of c.schema.pairs) {
    const a = c.profiles.research.columns[p.name];
    const b = c.profiles.production.columns[p.productionName];
    if (!a || !b) continue;
    const side = (x: ColumnProfile): HandlingSide => ({
      nullRate: rate(x.nulls, x.rows),
      nanRate: rate(x.nan, x.rows),
      infCount: x.posInf !== undefined ? (x.posInf ?? 0) + (x.negInf ?? 0) : null,
      zeroRate: rate(x.zeros, x.rows),
      min: x.min ?? null,
      max: x.max ?? null,
    });
    out[p.name] = { research: side(a), production: side(b) };
  }
  return out;
}

/** A column whose non-null share fell sharply in production: the variable is retired or rarely populated. */
function infrequentFindings(c: DataComparison): Finding[] {
  if (!c.profiles) return [];
  const out: Finding[] = [];
  for (const p of c.schema.pairs) {
    const a = c.profiles.research.columns[p.name];
    const b = c.profiles.production.columns[p.productionName];
    if (!a || !b || a.rows === 0 || b.rows === 0) continue;
    const ra = (a.count - (a.nan ?? 0)) / a.rows;
    const rb = (b.count - (b.nan ?? 0)) / b.rows;
    if (rb < INFREQUENT_RATIO * ra && ra - rb >= INFREQUENT_MIN_DROP) {
      out.push(
        finding({
          stage: 'features',
          severity: 'warning',
          cause: 'infrequent_variable',
          columns: [p.name],
          rowsAffected: b.rows - (b.count - (b.nan ?? 0)),
          message: `${p.name}: populated on ${formatPercent(rb)} of production rows vs ${formatPercent(ra)} in research: variable retired or rarely available`,
          evidence: { researchPopulatedRate: ra, productionPopulatedRate: rb },
        }),
      );
    }
  }
  return out;
}

/**
 * Without a key, handling differences show in the counts: nulls that became zeros, or NaN and null swapped.
 * (With a key, the row-level probes already name them exactly.)
 */
function keylessHandlingFindings(c: DataComparison): Finding[] {
  const out: Finding[] = [];
  for (const p of c.schema.pairs) {
    const a = c.profiles!.research.columns[p.name];
    const b = c.profiles!.production.columns[p.productionName];
    if (!a || !b || a.rows !== b.rows || a.zeros === undefined) continue;
    const lostNulls = a.nulls - b.nulls;
    const newZeros = (b.zeros ?? 0) - (a.zeros ?? 0);
    if (lostNulls > 0 && newZeros === lostNulls) {
      out.push(
        finding({
          stage: 'features',
          severity: 'error',
          cause: 'null_handling',
          columns: [p.name],
          rowsAffected: lostNulls,
          message: `${p.name}: ${formatCount(lostNulls)} fewer nulls and exactly as many more zeros in production: nulls filled with 0`,
          evidence: { researchNulls: a.nulls, productionNulls: b.nulls, researchZeros: a.zeros ?? 0, productionZeros: b.zeros ?? 0 },
        }),
      );
    } else if (a.nulls > 0 && a.nulls === b.nan && a.nan === b.nulls && a.nulls !== a.nan) {
      out.push(
        finding({
          stage: 'features',
          severity: 'error',
          cause: 'null_handling',
          columns: [p.name],
          rowsAffected: a.nulls,
          message: `${p.name}: research nulls are NaN in production (${formatCount(a.nulls)} rows): null vs NaN handling differs`,
          evidence: { researchNulls: a.nulls, productionNaN: b.nan ?? 0 },
        }),
      );
    }
  }
  return out;
}

/** The last event time at which each feature had a value, per side (one scan per side). */
async function lastPopulatedTimes(engine: Engine, c: DataComparison, timeColumn: string): Promise<NonNullable<FeaturesSummary['lastPopulated']>> {
  const pair = c.schema.pairs.find((p) => p.name === timeColumn);
  if (!pair) throw new ReprodiffError('E_COLUMN_UNKNOWN', `--time-col '${timeColumn}' is not a column of both inputs`, { suggestion: 'name a timestamp column present on both sides' });
  const cols = c.schema.pairs.filter((p) => p.name !== timeColumn);
  const query = async (relation: string, name: (p: ColumnPair) => string, t: string) =>
    engine.one(`SELECT ${cols.map((p, i) => `CAST(max(${ident(t)}) FILTER (WHERE ${ident(name(p))} IS NOT NULL) AS VARCHAR) AS c${i}`).join(', ') || '1 AS none'} FROM ${relation}`);
  const a = await query(c.research.relation, (p) => p.name, pair.name);
  const b = await query(c.production.relation, (p) => p.productionName, pair.productionName);
  return Object.fromEntries(cols.map((p, i) => [p.name, { research: toPlain(a[`c${i}`]), production: toPlain(b[`c${i}`]) }]));
}

/** The comparison without the drift test of one column (its finding and its summary entry). */
function withoutDrift(c: DataComparison, column: string): DataComparison {
  const findings = c.findings.filter((f) => !(f.cause === 'distribution_drift' && f.columns.length === 1 && f.columns[0] === column));
  const columns = c.summary.columns;
  if (!columns[column]?.tests) return { ...c, findings };
  const { tests: _dropped, ...rest } = columns[column];
  return { ...c, findings, summary: { ...c.summary, columns: { ...columns, [column]: rest } } };
}
