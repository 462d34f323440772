import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { LoadedConfig } from '../config/load.js';
import { resolveConfigPath } from '../config/load.js';
import type { ReprodiffConfig, SideConfig } from '../config/types.js';
import { ReprodiffError } from '../errors.js';
import { withEngine } from '../engine/engine.js';
import { finding } from '../findings/report.js';
import type { Finding, Stage } from '../findings/types.js';
import { STAGES } from '../findings/types.js';
import { isFolderFile, isInside } from '../sources/files.js';
import { envFormatFromText, envNameEvidence, tableStageFromColumns, tableStagesFromName } from '../sources/artifacts.js';
import { readerSql } from '../sources/register.js';
import { isDatabaseInput, redactInput } from '../sources/postgres/index.js';
import { formatFromName, resolveInput } from '../sources/resolve.js';
import type { Format } from '../sources/resolve.js';

/** What `check` will compare: per stage, the artifact on each side (absolute paths), and the rules used to pick them. */
export interface CheckPlan {
  readonly config: ReprodiffConfig;
  readonly artifacts: Readonly<Record<Stage, { readonly research?: string; readonly production?: string }>>;
  /** Lines a person reads first: what was paired, and what was left out and why. */
  readonly notes: readonly string[];
  /** Environment files outside the config's folder: read, but a line of theirs is never quoted in an error. */
  readonly unquoted?: readonly string[];
  /** Files of the folders that were not compared (left out, unrecognised), as findings. */
  readonly leftOut?: readonly Finding[];
}

/** A plan from reprodiff.yml: paths resolved against the config's folder. */
export function planFromConfig(loaded: LoadedConfig): CheckPlan {
  const artifacts = {} as Record<Stage, { research?: string; production?: string }>;
  for (const stage of STAGES) {
    const r = loaded.config.research[stage];
    const p = loaded.config.production[stage];
    artifacts[stage] = { research: r && resolveConfigPath(loaded.baseDir, r), production: p && resolveConfigPath(loaded.baseDir, p) };
  }
  const outside = [artifacts.env.research, artifacts.env.production].filter((p): p is string => p !== undefined && !isInside(loaded.baseDir, p));
  // The config says what is paired: nothing to announce before the verdict.
  return { config: loaded.config, artifacts, notes: [], unquoted: outside };
}

/** Columnar first: when only one side has a format, the most faithful file is compared. */
const FORMAT_PREFERENCE: readonly Format[] = ['parquet', 'arrow', 'duckdb', 'csv', 'tsv', 'ndjson', 'json'];

/** Extensions whose text may be an environment description whatever the name says (`versions.txt` holding `pip freeze`). */
const TEXT_EXTENSIONS = /\.(txt|in|ya?ml|json|lock|toml|cfg)$/i;
/** Bytes of a text file read to recognise it. */
const SNIFF_BYTES = 256 * 1024;

function listDir(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    throw new ReprodiffError('E_FILE_NOT_FOUND', `${dir}: no such folder`, { suggestion: 'give two folders (research, production) or a reprodiff.yml' });
  }
  // One symlink rule with data folders (src/sources/files.ts): followed inside the folder, refused outside.
  return entries.filter((e) => !e.startsWith('.') && isFolderFile(dir, join(dir, e))).sort();
}

function headText(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(SNIFF_BYTES, statSync(file).size));
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8');
    return text.includes('\u0000') ? '' : text;
  } finally {
    closeSync(fd);
  }
}

/** One file of a folder and what it was recognised as. */
interface Classified {
  readonly file: string;
  readonly side: 'research' | 'production';
  stage?: Stage;
  /** How the stage was recognised, for the notes. */
  by?: string;
  /** A table format reprodiff reads (else an env text or an unknown file). */
  readonly table: boolean;
  columns?: readonly string[];
}

/** Column names of table files, read by DuckDB without loading the data (a file that cannot be read has none). */
async function readColumns(files: readonly Classified[]): Promise<void> {
  const tables = files.filter((f) => f.table && formatFromName(f.file) !== 'arrow' && formatFromName(f.file) !== 'duckdb');
  if (tables.length === 0) return;
  await withEngine({ readableFiles: tables.map((t) => resolve(t.file)) }, async (engine) => {
    for (const t of tables) {
      try {
        const rows = await engine.all(`DESCRIBE SELECT * FROM ${readerSql(resolveInput(t.file))}`);
        t.columns = rows.map((r) => String(r.column_name));
      } catch {
        // Unreadable: it stays unrecognised and is reported as not compared.
      }
    }
  });
}

function classify(file: string, side: 'research' | 'production'): Classified {
  const fmt = formatFromName(file);
  const byName = envNameEvidence(file);
  if (byName === 'sure') return { file, side, stage: 'env', by: 'name', table: false };
  if (TEXT_EXTENSIONS.test(file) && envFormatFromText(headText(file))) return { file, side, stage: 'env', by: byName ? 'name' : 'content', table: false };
  const table = fmt !== undefined;
  const named = table ? tableStagesFromName(file) : [];
  return named.length === 1 ? { file, side, stage: named[0], by: 'name', table } : { file, side, table, ...(named.length > 1 ? { by: named.join('|') } : {}) };
}

const sameColumns = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  Boolean(
    a &&
      b &&
      a.length === b.length &&
      [...a]
        .map((c) => c.toLowerCase())
        .sort()
        .join('\u0000') ===
        [...b]
          .map((c) => c.toLowerCase())
          .sort()
          .join('\u0000'),
  );

/**
 * Gives every file a stage: by name (a stage word anywhere in it), then by content (environment text;
 * a table's columns: a split column, a prediction column; the same columns as an artifact already
 * recognised); unrecognised tables with the same columns on both sides are paired and take the free table
 * stages (data, then features). What is left is not compared, and said so.
 */
async function classifyAll(researchDir: string, productionDir: string): Promise<Classified[]> {
  const all = [...listDir(researchDir).map((n) => classify(join(researchDir, n), 'research')), ...listDir(productionDir).map((n) => classify(join(productionDir, n), 'production'))];
  if (all.some((c) => c.table && c.stage === undefined)) {
    await readColumns(all);
    for (const c of all.filter((x) => x.table && x.stage === undefined)) {
      const named = c.by ? (c.by.split('|') as Stage[]) : [];
      const byColumns = c.columns ? tableStageFromColumns(c.columns) : undefined;
      if (named.length > 1) {
        // Several stage words (`feature_split.csv`): the columns decide, else the most downstream word.
        c.stage = byColumns && named.includes(byColumns) ? byColumns : named[0];
        c.by = byColumns && named.includes(byColumns) ? 'name and columns' : 'name';
      } else if (byColumns) {
        c.stage = byColumns;
        c.by = 'columns';
      } else c.by = undefined;
    }
    for (const c of all.filter((x) => x.table && x.stage === undefined && x.columns)) {
      const twin = all.find((o) => o !== c && o.stage && o.stage !== 'env' && sameColumns(o.columns, c.columns));
      if (twin) {
        c.stage = twin.stage;
        c.by = `the same columns as ${basename(twin.file)}`;
      }
    }
    // Unrecognised tables paired across the sides (same file name first, then the same columns) take the free table stages in turn.
    const left = (side: string) => all.filter((x) => x.side === side && x.table && x.stage === undefined && x.columns);
    const taken = new Set(all.filter((x) => x.stage).map((x) => `${x.side}:${x.stage}`));
    const free = (['data', 'features'] as Stage[]).filter((st) => !taken.has(`research:${st}`) && !taken.has(`production:${st}`));
    const p = left('production');
    for (const r of left('research')) {
      if (free.length === 0) break;
      const twin =
        p.find((x) => x.stage === undefined && stem(x.file) === stem(r.file) && sameColumns(x.columns, r.columns)) ?? p.find((x) => x.stage === undefined && sameColumns(x.columns, r.columns));
      if (!twin) continue;
      r.stage = twin.stage = free.shift();
      r.by = twin.by = 'the same columns on both sides';
    }
  }
  return all;
}

/**
 * A plan from two folders: each file is given a stage by its name or content (src/sources/artifacts.ts,
 * the rules `env` uses too); where a side holds the same artifact in several formats, files of the same
 * format are paired when both sides have one, else the columnar one. Files left out are findings.
 */
export async function planFromDirectories(researchDir: string, productionDir: string, base: Partial<ReprodiffConfig> = {}): Promise<CheckPlan> {
  const classified = await classifyAll(researchDir, productionDir);
  const files = (side: string, stage: Stage) => classified.filter((c) => c.side === side && c.stage === stage).map((c) => c.file);
  const notes: string[] = [];
  const leftOut: Finding[] = [];
  const research: SideConfig = {};
  const production: SideConfig = {};
  const artifacts = {} as Record<Stage, { research?: string; production?: string }>;
  const rel = (f: string) => relative(process.cwd(), f);
  for (const stage of STAGES) {
    const a = files('research', stage);
    const b = files('production', stage);
    const [ra, pb] = choosePair(a, b);
    artifacts[stage] = { research: ra, production: pb };
    if (ra) (research as Record<string, string>)[stage] = ra;
    if (pb) (production as Record<string, string>)[stage] = pb;
    const how = (f: string | undefined) => {
      const by = classified.find((c) => c.file === f)?.by;
      return by && by !== 'name' ? ` (by ${by})` : '';
    };
    if (ra || pb) notes.push(`${stage}: ${ra ? rel(ra) : '(none)'}${how(ra)} ↔ ${pb ? rel(pb) : '(none)'}${how(pb)}`);
    for (const left of [...a, ...b].filter((f) => f !== ra && f !== pb)) {
      const chosen = a.includes(left) ? ra : pb;
      // The same artifact in another format (raw.csv beside raw.parquet) is named; anything else could hide a break.
      const copy = chosen !== undefined && stem(chosen) === stem(left);
      notes.push(`  left out ${rel(left)} (another file for ${stage}${copy ? `: ${basename(chosen!)} in another format` : ''})`);
      leftOut.push(
        finding({
          stage,
          severity: copy ? 'info' : 'warning',
          cause: 'not_compared',
          columns: [],
          message: `${rel(left)} was not compared: ${copy ? `the same artifact as ${basename(chosen!)} in another format, which was compared instead` : `another ${stage} file (${basename(chosen ?? '')} was compared); name it in a reprodiff.yml to compare it`}`,
          evidence: {
            file: rel(left),
            side: a.includes(left) ? 'research' : 'production',
            reason: copy ? 'another format of a compared artifact' : 'another file for the stage',
            compared: chosen ? rel(chosen) : null,
          },
        }),
      );
    }
  }
  for (const c of classified.filter((x) => x.stage === undefined)) {
    const readable = c.table || TEXT_EXTENSIONS.test(c.file);
    const why =
      c.table && !c.columns && formatFromName(c.file) !== 'arrow' && formatFromName(c.file) !== 'duckdb'
        ? 'it could not be read as a table'
        : readable
          ? 'no stage recognised from its name or content'
          : 'not a format reprodiff reads';
    notes.push(`ignored ${rel(c.file)} (${why})`);
    leftOut.push(
      finding({
        stage: c.table ? 'data' : readable ? 'env' : 'data',
        severity: readable ? 'warning' : 'info',
        cause: 'not_compared',
        columns: [],
        message: `${c.side} file ${rel(c.file)} was not compared: ${why}; name it in a reprodiff.yml to compare it`,
        evidence: { file: rel(c.file), side: c.side, reason: why, columns: c.columns ? [...c.columns].slice(0, 20) : null },
      }),
    );
  }
  return { config: { ...base, research, production }, artifacts, notes, leftOut };
}

/**
 * What `check` must say about a stage beyond its comparison: files left out, an artifact on one side only
 * (`artifact_unpaired`, a warning), and a required stage without its pair (`stage_required`, an error).
 */
export function planFindings(plan: CheckPlan, requireStages: readonly Stage[] = []): Map<Stage, Finding[]> {
  const out = new Map<Stage, Finding[]>();
  const add = (f: Finding) => out.set(f.stage, [...(out.get(f.stage) ?? []), f]);
  for (const f of plan.leftOut ?? []) add(f);
  const rel = (f: string) => relative(process.cwd(), f);
  for (const stage of STAGES) {
    const { research, production } = plan.artifacts[stage];
    const required = requireStages.includes(stage);
    if (research && production) continue;
    if (!research && !production) {
      if (required)
        add(
          finding({
            stage,
            severity: 'error',
            cause: 'stage_required',
            message: `${stage} is required (--require-stages) but neither side has an artifact for it`,
            evidence: { research: null, production: null },
          }),
        );
      continue;
    }
    const [have, missing] = research ? ['research', 'production'] : ['production', 'research'];
    const file = rel((research ?? production)!);
    add(
      finding({
        stage,
        severity: required ? 'error' : 'warning',
        cause: required ? 'stage_required' : 'artifact_unpaired',
        message: `${stage}: only ${have} has an artifact (${file}); ${missing} has none, so the stage was not compared`,
        evidence: { research: research ? rel(research) : null, production: production ? rel(production) : null, missing },
      }),
    );
  }
  return out;
}

function stem(file: string): string {
  return basename(file)
    .toLowerCase()
    .replace(/(\.(gz|zst))?$/, '')
    .replace(/\.[^.]+$/, '');
}

function choosePair(a: readonly string[], b: readonly string[]): [string | undefined, string | undefined] {
  if (a.length === 0 || b.length === 0) return [best(a), best(b)];
  // Same stem and same format first, then same format, then the columnar file on each side.
  for (const fa of sortByPreference(a)) {
    const same = b.find((fb) => stem(fb) === stem(fa) && formatFromName(fb) === formatFromName(fa));
    if (same) return [fa, same];
  }
  for (const fa of sortByPreference(a)) {
    const same = sortByPreference(b).find((fb) => formatFromName(fb) === formatFromName(fa));
    if (same) return [fa, same];
  }
  return [best(a), best(b)];
}

function best(files: readonly string[]): string | undefined {
  return sortByPreference(files)[0];
}

function sortByPreference(files: readonly string[]): string[] {
  const rank = (f: string) => {
    const fmt = formatFromName(f);
    return fmt ? FORMAT_PREFERENCE.indexOf(fmt) : FORMAT_PREFERENCE.length;
  };
  return [...files].sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : 1));
}

/** The plan (and inferred columns) as a reprodiff.yml a person can edit; paths relative to where it is written. */
export function planToYaml(plan: CheckPlan, configDir: string, inferred: Partial<ReprodiffConfig> = {}): string {
  // A database input is written as its label (no password: the saved file may be committed); a path relative to the config.
  const where = (v: string) => (isDatabaseInput(v) ? redactInput(v) : relative(configDir, v) || '.');
  const rel = (side: SideConfig) => Object.fromEntries(Object.entries(side).map(([k, v]) => [k, where(v as string)]));
  const doc: Record<string, unknown> = { version: 1, ...plan.config, ...inferred, research: rel(plan.config.research), production: rel(plan.config.production) };
  return `# reprodiff.yml — written by reprodiff check --write-config; edit freely.\n${stringify(doc)}`;
}
