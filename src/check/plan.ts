import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { stringify } from 'yaml';
import type { LoadedConfig } from '../config/load.js';
import { resolveConfigPath } from '../config/load.js';
import type { ReprodiffConfig, SideConfig } from '../config/types.js';
import { ReprodiffError } from '../errors.js';
import type { Stage } from '../findings/types.js';
import { STAGES } from '../findings/types.js';
import { isFolderFile, isInside } from '../sources/files.js';
import { formatFromName } from '../sources/resolve.js';
import type { Format } from '../sources/resolve.js';

/** What `check` will compare: per stage, the artifact on each side (absolute paths), and the rules used to pick them. */
export interface CheckPlan {
  readonly config: ReprodiffConfig;
  readonly artifacts: Readonly<Record<Stage, { readonly research?: string; readonly production?: string }>>;
  /** Lines a person reads first: what was paired, and what was left out and why. */
  readonly notes: readonly string[];
  /** Environment files outside the config's folder: read, but a line of theirs is never quoted in an error. */
  readonly unquoted?: readonly string[];
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

/** File-name rules that pair artifacts with stages when there is no config (documented in the README). */
export const STAGE_NAME_RULES: readonly { stage: Stage; pattern: RegExp }[] = [
  { stage: 'env', pattern: /^(requirements.*\.txt|.*freeze.*\.txt|environment\.ya?ml|conda.*\.(txt|ya?ml)|poetry\.lock|uv\.lock|pipfile\.lock|renv\.lock|package-lock\.json|.*\.env\.json)$/i },
  { stage: 'data', pattern: /^(raw|data|input|source)/i },
  { stage: 'features', pattern: /^feat/i },
  { stage: 'splits', pattern: /^(split|fold)/i },
  { stage: 'predictions', pattern: /^(pred|score)/i },
];

/** Columnar first: when only one side has a format, the most faithful file is compared. */
const FORMAT_PREFERENCE: readonly Format[] = ['parquet', 'arrow', 'duckdb', 'csv', 'tsv', 'ndjson', 'json'];

function stageOf(file: string): Stage | undefined {
  const name = basename(file);
  for (const rule of STAGE_NAME_RULES) {
    if (!rule.pattern.test(name)) continue;
    if (rule.stage === 'env' || formatFromName(name)) return rule.stage;
  }
  return undefined;
}

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

/**
 * A plan from two folders: each file is given a stage by its name; where a side holds the same artifact
 * in several formats, files of the same format are paired when both sides have one, else the columnar one.
 */
export function planFromDirectories(researchDir: string, productionDir: string, base: Partial<ReprodiffConfig> = {}): CheckPlan {
  const a = groupByStage(researchDir);
  const b = groupByStage(productionDir);
  const notes: string[] = [];
  const research: SideConfig = {};
  const production: SideConfig = {};
  const artifacts = {} as Record<Stage, { research?: string; production?: string }>;
  for (const stage of STAGES) {
    const [ra, pb] = choosePair(a.get(stage) ?? [], b.get(stage) ?? []);
    artifacts[stage] = { research: ra, production: pb };
    if (ra) (research as Record<string, string>)[stage] = ra;
    if (pb) (production as Record<string, string>)[stage] = pb;
    if (ra || pb) notes.push(`${stage}: ${ra ? relative(process.cwd(), ra) : '(none)'} ↔ ${pb ? relative(process.cwd(), pb) : '(none)'}`);
    for (const left of [...(a.get(stage) ?? []), ...(b.get(stage) ?? [])].filter((f) => f !== ra && f !== pb)) {
      notes.push(`  left out ${relative(process.cwd(), left)} (another file for ${stage})`);
    }
  }
  for (const f of [...a.get('ignored' as Stage) ?? [], ...b.get('ignored' as Stage) ?? []]) notes.push(`ignored ${relative(process.cwd(), f)} (no stage recognised from its name)`);
  return { config: { ...base, research, production }, artifacts, notes };
}

function groupByStage(dir: string): Map<Stage, string[]> {
  const out = new Map<Stage, string[]>();
  for (const name of listDir(dir)) {
    const stage = stageOf(name) ?? ('ignored' as Stage);
    out.set(stage, [...(out.get(stage) ?? []), join(dir, name)]);
  }
  return out;
}

function stem(file: string): string {
  return basename(file).toLowerCase().replace(/(\.(gz|zst))?$/, '').replace(/\.[^.]+$/, '');
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
  const rel = (side: SideConfig) => Object.fromEntries(Object.entries(side).map(([k, v]) => [k, relative(configDir, v as string) || '.']));
  const doc: Record<string, unknown> = { version: 1, ...plan.config, ...inferred, research: rel(plan.config.research), production: rel(plan.config.production) };
  return `# reprodiff.yml — written by reprodiff check --write-config; edit freely.\n${stringify(doc)}`;
}
