import type { Engine } from '../engine/engine.js';
import { ident } from '../engine/quote.js';
import type { Finding, Stage } from '../findings/types.js';
import { STAGES } from '../findings/types.js';
import { formatPercent } from '../report/format.js';
import { toNumber } from '../compare/data/values.js';

/** A stage's keyed diff table, as the propagation step reads it. */
export interface KeyedTable {
  /** Temp table: key columns k0…k(n−1), flags in_a / in_b, and d<i> per value column. */
  readonly table: string;
  readonly keyCount: number;
  readonly valueColumns: readonly string[];
}

export interface StageTables {
  readonly stage: Stage;
  readonly keyed: KeyedTable | null;
  readonly findings: readonly Finding[];
  readonly broken: boolean;
}

/** Share of a downstream finding's keys that must be broken upstream for it to count as a consequence. */
export const PROPAGATION_SHARE = 0.95;

/** The rows of a diff table that a finding is about, as a WHERE clause; null when the finding has no rows. */
export function findingRowsWhere(f: Finding, t: KeyedTable): string | null {
  if (f.cause === 'rows_missing') return 'in_b IS NULL';
  if (f.cause === 'rows_extra') return 'in_a IS NULL';
  if (f.columns.length === 0 || f.rowsAffected === null || f.rowsAffected === 0) return null;
  const idx = f.columns.map((c) => t.valueColumns.indexOf(c));
  if (idx.some((i) => i < 0)) return null;
  return `in_a AND in_b AND (${idx.map((i) => `d${i}`).join(' OR ')})`;
}

function keyText(alias: string, n: number): string {
  return Array.from({ length: n }, (_v, i) => `CAST(${alias}.k${i} AS VARCHAR)`).join(", '\u0001', ");
}

/** Share of the finding's keys that also differ (or are missing) upstream. */
async function shareBrokenUpstream(engine: Engine, down: KeyedTable, where: string, up: KeyedTable): Promise<{ share: number; rows: number }> {
  if (down.keyCount !== up.keyCount) return { share: 0, rows: 0 };
  const dk = down.keyCount === 1 ? keyText('d', 1) : `concat(${keyText('d', down.keyCount)})`;
  const uk = up.keyCount === 1 ? keyText('u', 1) : `concat(${keyText('u', up.keyCount)})`;
  const row = await engine.one(
    `SELECT count(*) AS n, count(*) FILTER (WHERE ${dk} IN (SELECT ${uk} FROM ${ident(up.table)} u)) AS hit FROM ${ident(down.table)} d WHERE ${where.replace(/\b(in_a|in_b|d\d+)\b/g, 'd.$1')}`,
  );
  const n = toNumber(row.n) ?? 0;
  return { share: n ? (toNumber(row.hit) ?? 0) / n : 0, rows: n };
}

/**
 * Marks downstream findings that upstream breaks explain: their keys are missing or differ upstream
 * (≥ 95%), or an upstream stage already reported the same column. The most upstream explaining stage wins,
 * so users see one root and its consequences. Findings upstream does not explain stay roots.
 */
export async function markPropagation(engine: Engine, stages: readonly StageTables[]): Promise<Map<Stage, Finding[]>> {
  const out = new Map<Stage, Finding[]>();
  const ordered = [...stages].sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage));
  for (const [i, s] of ordered.entries()) {
    const upstream = ordered.slice(0, i).filter((u) => u.broken && u.stage !== 'env');
    const marked: Finding[] = [];
    for (const f of s.findings) marked.push(f.severity === 'info' || upstream.length === 0 ? f : await explainByUpstream(engine, f, s, upstream));
    out.set(s.stage, aggregatesFollow(marked));
  }
  return out;
}

async function explainByUpstream(engine: Engine, f: Finding, s: StageTables, upstream: readonly StageTables[]): Promise<Finding> {
  for (const u of upstream) {
    const sameColumn = f.columns.length > 0 && u.findings.some((g) => g.severity !== 'info' && g.columns.length > 0 && f.columns.every((c) => g.columns.includes(c)) && !isKeyFinding(g));
    if (sameColumn && !isKeyFinding(f)) return { ...f, propagatedFrom: u.stage, evidence: { ...f.evidence, propagation: { from: u.stage, reason: 'same column reported upstream' } } };
    const where = s.keyed && u.keyed ? findingRowsWhere(f, s.keyed) : null;
    // The predicate must describe exactly this finding's rows; otherwise its sample keys speak for it.
    const measured = where ? await shareBrokenUpstream(engine, s.keyed!, where, u.keyed!) : null;
    if (measured && measured.rows === f.rowsAffected) {
      if (measured.share >= PROPAGATION_SHARE) {
        return {
          ...f,
          propagatedFrom: u.stage,
          message: `${f.message} (${formatPercent(measured.share)} of these rows already differ or are missing in ${u.stage})`,
          evidence: { ...f.evidence, propagation: { from: u.stage, share: measured.share, reason: 'keys differ or are missing upstream' } },
        };
      }
    } else if (u.keyed && (await sampleKeysBrokenUpstream(engine, f, u.keyed))) {
      return { ...f, propagatedFrom: u.stage, evidence: { ...f.evidence, propagation: { from: u.stage, reason: 'its keys differ or are missing upstream' } } };
    }
  }
  return f;
}

/**
 * Findings about the whole stage (a metric, a proportion: no rows) follow the stage's keyed findings: when
 * every finding that names rows is a consequence of the same upstream stage, so are they.
 */
function aggregatesFollow(findings: Finding[]): Finding[] {
  const keyed = findings.filter((f) => f.severity !== 'info' && f.rowsAffected !== null && f.rowsAffected > 0);
  if (keyed.length === 0 || keyed.some((f) => f.propagatedFrom === null)) return findings;
  // The upstream stage behind the most rows carries the stage-level consequences.
  const rows = new Map<Stage, number>();
  for (const f of keyed) rows.set(f.propagatedFrom!, (rows.get(f.propagatedFrom!) ?? 0) + (f.rowsAffected ?? 0));
  const from = [...rows.entries()].sort((a, b) => b[1] - a[1] || STAGES.indexOf(a[0]) - STAGES.indexOf(b[0]))[0]![0];
  return findings.map((f) =>
    f.severity !== 'info' && f.propagatedFrom === null && (f.rowsAffected === null || f.rowsAffected === 0)
      ? { ...f, propagatedFrom: from, evidence: { ...f.evidence, propagation: { from, reason: 'every row-level difference of this stage comes from upstream' } } }
      : f,
  );
}

/** Keys a finding names, when no row predicate is known: all of its sample keys must be broken upstream. */
async function sampleKeysBrokenUpstream(engine: Engine, f: Finding, up: KeyedTable): Promise<boolean> {
  if (f.sampleKeys.length === 0 || f.rowsAffected === null) return false;
  const keys = f.sampleKeys.map((k) => (Array.isArray(k) ? k : [k]));
  if (keys.some((k) => k.length !== up.keyCount)) return false;
  const text = (k: readonly unknown[]) => k.map((v) => String(v)).join('\u0001');
  const uk = up.keyCount === 1 ? keyText('u', 1) : `concat(${keyText('u', up.keyCount)})`;
  const list = keys.map((k) => `'${text(k).replaceAll("'", "''")}'`).join(', ');
  const row = await engine.one(`SELECT count(DISTINCT ${uk}) AS hit FROM ${ident(up.table)} u WHERE ${uk} IN (${list})`);
  const brokenUpstream = await engine.one(`SELECT count(*) AS n FROM ${ident(up.table)}`);
  return (toNumber(row.hit) ?? 0) === keys.length && f.rowsAffected <= (toNumber(brokenUpstream.n) ?? 0);
}

/** Row presence findings name the key columns; they never explain a column by name. */
function isKeyFinding(f: Finding): boolean {
  return f.cause === 'rows_missing' || f.cause === 'rows_extra' || f.cause === 'duplicate_keys' || f.cause === 'null_keys' || f.cause === 'no_common_rows';
}
