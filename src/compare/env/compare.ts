/**
 * The env comparator: research environment A against production environment B. Names meet after
 * normalisation, versions are ordered by PEP 440 (Python) and each change is classified
 * major / minor / patch / other; severities follow `rules.ts`.
 */
import type { EnvSideSummary, EnvSummary } from '../../findings/summaries.js';
import { ReprodiffError } from '../../errors.js';
import { finding } from '../../findings/report.js';
import type { Evidence, Finding, OutcomeWith, Severity } from '../../findings/types.js';
import type { ChangeClass } from '../../env/pep440.js';
import { evaluateMarker } from '../../env/markers.js';
import type { MarkerContext } from '../../env/markers.js';
import { isCondaFormat, normalizeName } from '../../sources/env/model.js';
import type { Ecosystem, EnvPackage, Environment, Interpreter, Platform } from '../../sources/env/model.js';
import { NUMERICAL_PACKAGES, PACKAGING_TOOLS, PLATFORM_FIELDS, interpreterSeverity, onlyOneSideSeverity, versionChangeSeverity } from './rules.js';
import { classifyEcosystemChange, compareEcosystemVersions, representativeVersion, sameVersion, versionSatisfies } from './versions.js';

export interface EnvCompareOptions {
  /** Extra package names that count as numerical (added to NUMERICAL_PACKAGES). */
  readonly numericPackages?: readonly string[];
}

const STAGE = 'env' as const;

/** Marker variables derived from what an environment says about its interpreter and platform. */
export function markerContext(interpreter?: Interpreter, platform?: Platform): MarkerContext {
  const ctx: Record<string, string> = {};
  const v = interpreter?.name === 'python' ? interpreter.version : undefined;
  if (v) {
    const parts = v.split('.');
    ctx.python_version = parts.slice(0, 2).join('.');
    ctx.python_full_version = v;
  }
  if (interpreter?.implementation) {
    ctx.implementation_name = interpreter.implementation.toLowerCase();
    ctx.platform_python_implementation = interpreter.implementation;
  }
  const system = platform?.system ?? subdirSystem(platform?.subdir);
  if (system) {
    ctx.platform_system = system;
    ctx.sys_platform = system === 'Windows' ? 'win32' : system.toLowerCase();
    ctx.os_name = system === 'Windows' ? 'nt' : 'posix';
  }
  if (platform?.machine) ctx.platform_machine = platform.machine;
  return ctx;
}

function subdirSystem(subdir: string | undefined): string | undefined {
  if (!subdir) return undefined;
  if (subdir.startsWith('linux')) return 'Linux';
  if (subdir.startsWith('osx')) return 'Darwin';
  if (subdir.startsWith('win')) return 'Windows';
  return undefined;
}

/** Drops packages whose marker is false here, and keeps one entry per name (a pinned one first). */
function resolvePackages(env: Environment, ctx: MarkerContext): Map<string, EnvPackage> {
  const out = new Map<string, EnvPackage>();
  for (const p of env.packages) {
    if (p.marker !== undefined && evaluateMarker(p.marker, ctx) === false) continue;
    const prev = out.get(p.name);
    if (!prev || (prev.version === null && p.version !== null)) out.set(p.name, p);
  }
  return out;
}

/** A declaration lists direct dependencies only; a listing is everything installed. */
function isDeclaration(env: Environment): boolean {
  return env.format === 'requirements' || env.format === 'conda-environment';
}

function describe(p: EnvPackage, other?: EnvPackage): string {
  // When only the source differs, say where each side got the package from.
  if (p.version !== null && other && other.source !== p.source && other.version === p.version) return `${p.version} (${p.source})`;
  if (p.version !== null) return p.version;
  if (p.specifier) return p.specifier;
  return p.ref ? `${p.source} ${p.ref}` : p.source;
}

interface Comparison {
  readonly change: ChangeClass;
  readonly direction: 'upgrade' | 'downgrade' | 'same' | 'unknown';
  readonly reason: string;
}

/** How two entries for the same name differ; `null` when they agree (or cannot be told apart). */
function comparePackage(a: EnvPackage, b: EnvPackage, ecosystem: Ecosystem): Comparison | null {
  const direction = (x: string, y: string): Comparison['direction'] => {
    // Local labels (+cu121 vs +cpu) are builds of one release, not an order.
    const c = compareEcosystemVersions(x.replace(/\+.*$/, ''), y.replace(/\+.*$/, ''), ecosystem);
    return c < 0 ? 'upgrade' : c > 0 ? 'downgrade' : 'same';
  };
  if (a.version !== null && b.version !== null) {
    if (sameVersion(a.version, b.version, ecosystem)) {
      if (a.source !== b.source && a.source !== 'conda' && b.source !== 'conda') {
        return { change: 'other', direction: 'same', reason: `source changed from ${a.source} to ${b.source}` };
      }
      if (a.source === 'git' && b.source === 'git' && a.ref && b.ref && a.ref !== b.ref) return { change: 'other', direction: 'same', reason: 'git revision changed' };
      // Same conda version, other build: e.g. libblas built against MKL vs OpenBLAS.
      if (a.build && b.build && a.build !== b.build) return { change: 'other', direction: 'same', reason: `build changed from ${a.build} to ${b.build}` };
      return null;
    }
    const change = classifyEcosystemChange(a.version, b.version, ecosystem) ?? 'other';
    return { change, direction: direction(a.version, b.version), reason: 'version changed' };
  }
  const pinned = a.version !== null ? a : b.version !== null ? b : undefined;
  const ranged = pinned === a ? b : a;
  if (pinned && ranged.specifier && ecosystem === 'python') {
    const ok = versionSatisfies(pinned.version!, ranged.specifier);
    if (ok !== false) return null;
    const rep = representativeVersion(ranged.specifier);
    const change = rep ? (classifyEcosystemChange(pinned === a ? pinned.version! : rep, pinned === a ? rep : pinned.version!, ecosystem) ?? 'other') : 'other';
    return { change, direction: 'unknown', reason: `version outside the range ${ranged.specifier}` };
  }
  if (a.specifier && b.specifier) {
    if (a.specifier === b.specifier) return null;
    const ra = representativeVersion(a.specifier);
    const rb = representativeVersion(b.specifier);
    const change = ra && rb ? (classifyEcosystemChange(ra, rb, ecosystem) ?? 'other') : 'other';
    return { change, direction: ra && rb ? direction(ra, rb) : 'unknown', reason: 'version range changed' };
  }
  if (a.version === null && b.version === null && a.source === 'git' && b.source === 'git' && a.ref && b.ref && a.ref !== b.ref) {
    return { change: 'other', direction: 'unknown', reason: 'git revision changed' };
  }
  return null;
}

function interpreterText(i: Interpreter | undefined): string | null {
  if (!i) return null;
  return i.version ?? i.specifier ?? null;
}

function compareInterpreters(a: Interpreter | undefined, b: Interpreter | undefined, ecosystem: Ecosystem): Finding[] {
  if (!a || !b) return [];
  const name = a.name;
  const evidence = (change: string, severityWhy: string): Evidence => ({ research: interpreterText(a), production: interpreterText(b), change, reason: severityWhy });
  if (a.version && b.version) {
    const change = classifyEcosystemChange(a.version, b.version, ecosystem);
    if (!change) return [];
    return [
      finding({
        stage: STAGE,
        severity: interpreterSeverity(change),
        cause: 'interpreter_version',
        columns: [name],
        message: `${name} ${a.version} -> ${b.version} (${change} change)`,
        evidence: evidence(change, 'version changed'),
      }),
    ];
  }
  const pinned = a.version ? a : b.version ? b : undefined;
  const ranged = pinned === a ? b : a;
  if (pinned && ranged.specifier && ecosystem === 'python') {
    if (versionSatisfies(pinned.version!, ranged.specifier) !== false) return [];
    const side = pinned === a ? 'research' : 'production';
    return [
      finding({
        stage: STAGE,
        severity: 'error',
        cause: 'interpreter_version',
        columns: [name],
        message: `${name} ${pinned.version} in ${side} is outside the required range ${ranged.specifier}`,
        evidence: evidence('other', 'version outside the required range'),
      }),
    ];
  }
  if (a.specifier && b.specifier && a.specifier !== b.specifier) {
    // The lowest interpreter each range allows (`>=3.10` → 3.10): a new minor there is a new interpreter.
    const ra = ecosystem === 'python' ? representativeVersion(a.specifier) : null;
    const rb = ecosystem === 'python' ? representativeVersion(b.specifier) : null;
    const change = ra && rb ? classifyEcosystemChange(ra, rb, ecosystem) : null;
    return [
      finding({
        stage: STAGE,
        severity: change ? interpreterSeverity(change) : 'info',
        cause: 'interpreter_version',
        columns: [name],
        message: `${name} requirement ${a.specifier} -> ${b.specifier}${change ? ` (${change} change of the lowest allowed version, ${ra} -> ${rb})` : ''}`,
        evidence: { ...evidence(change ?? 'other', change ? 'lowest allowed version changed' : 'required range changed'), researchLowest: ra, productionLowest: rb },
      }),
    ];
  }
  return [];
}

function comparePlatforms(a: Platform | undefined, b: Platform | undefined): Finding[] {
  if (!a || !b) return [];
  const out: Finding[] = [];
  for (const [field, severity] of Object.entries(PLATFORM_FIELDS).sort(([x], [y]) => (x < y ? -1 : 1))) {
    const va = (a as Record<string, string | number | undefined>)[field];
    const vb = (b as Record<string, string | number | undefined>)[field];
    if (va === undefined || vb === undefined || va === vb) continue;
    out.push(
      finding({
        stage: STAGE,
        severity: severity as Severity,
        cause: 'platform_change',
        columns: ['platform'],
        message: `platform ${field}: ${String(va)} -> ${String(vb)}`,
        evidence: { field, research: va, production: vb },
      }),
    );
  }
  return out;
}

function sideSummary(env: Environment, count: number): EnvSideSummary {
  return {
    file: env.origin,
    format: env.format,
    ecosystem: env.ecosystem,
    packages: count,
    interpreter: env.interpreter ? `${env.interpreter.name} ${interpreterText(env.interpreter) ?? ''}`.trim() : null,
    platform: env.platform ? Object.fromEntries(Object.entries(env.platform).sort(([x], [y]) => (x < y ? -1 : 1))) : null,
  };
}

/** Compares research environment `a` with production environment `b` and returns the `env` stage outcome. */
export function compareEnv(a: Environment, b: Environment, options: EnvCompareOptions = {}): OutcomeWith<EnvSummary> {
  if (a.ecosystem !== b.ecosystem) {
    throw new ReprodiffError('E_USAGE', `cannot compare a ${a.ecosystem} environment (${a.origin}) with a ${b.ecosystem} one (${b.origin})`, {
      suggestion: 'compare two descriptions of the same ecosystem',
    });
  }
  const ecosystem = a.ecosystem;
  const numerical = new Set([...NUMERICAL_PACKAGES, ...(options.numericPackages ?? [])].map((n) => normalizeName(n, ecosystem)));
  const tooling = new Set(ecosystem === 'python' ? PACKAGING_TOOLS : []);
  // Markers are evaluated against a side's own interpreter/platform, or the other side's when it has none.
  const ctxA = markerContext(a.interpreter ?? b.interpreter, a.platform ?? b.platform);
  const ctxB = markerContext(b.interpreter ?? a.interpreter, b.platform ?? a.platform);
  const pa = resolvePackages(a, ctxA);
  const pb = resolvePackages(b, ctxB);
  const condaMix = isCondaFormat(a.format) !== isCondaFormat(b.format);
  const findings: Finding[] = [];
  const ignored: string[] = [];
  const byChange: Record<ChangeClass, number> = { major: 0, minor: 0, patch: 0, other: 0 };
  let compared = 0;
  let changed = 0;
  let onlyA = 0;
  let onlyB = 0;

  const names = [...new Set([...pa.keys(), ...pb.keys()])].sort();
  for (const name of names) {
    const x = pa.get(name);
    const y = pb.get(name);
    const isNumerical = numerical.has(name);
    if (x && y) {
      compared++;
      const diff = comparePackage(x, y, ecosystem);
      if (!diff) continue;
      changed++;
      byChange[diff.change]++;
      const label = isNumerical ? '; numerical library' : '';
      findings.push(
        finding({
          stage: STAGE,
          severity: versionChangeSeverity(diff.change, isNumerical),
          cause: 'library_version',
          columns: [x.displayName],
          message: `${x.displayName} ${describe(x, y)} -> ${describe(y, x)} (${diff.change}${diff.direction === 'upgrade' || diff.direction === 'downgrade' ? ` ${diff.direction}` : ''}, ${diff.reason}${label})`,
          evidence: {
            research: x.version ?? x.specifier ?? null,
            production: y.version ?? y.specifier ?? null,
            change: diff.change,
            direction: diff.direction,
            numerical: isNumerical,
            researchSource: x.source,
            productionSource: y.source,
          },
        }),
      );
      continue;
    }
    const p = (x ?? y)!;
    const inResearch = x !== undefined;
    if (condaMix && p.system) {
      ignored.push(p.displayName);
      continue;
    }
    if (inResearch) onlyA++;
    else onlyB++;
    const other = inResearch ? b : a;
    const undeclared = isDeclaration(other) && !isDeclaration(inResearch ? a : b);
    // A conditional requirement whose marker cannot be decided here (no interpreter known) may rightly be absent.
    const conditional = p.marker !== undefined && evaluateMarker(p.marker, inResearch ? ctxA : ctxB) === undefined;
    const severity = onlyOneSideSeverity(isNumerical, tooling.has(name), undeclared || conditional);
    findings.push(
      finding({
        stage: STAGE,
        severity,
        cause: inResearch ? 'package_missing' : 'package_extra',
        columns: [p.displayName],
        message: `${p.displayName} ${describe(p)} is only in ${inResearch ? 'research' : 'production'}${isNumerical ? ' (numerical library)' : ''}${undeclared ? ` (${other.origin} declares direct dependencies only)` : ''}${conditional ? ` (only where ${p.marker})` : ''}`,
        evidence: {
          research: inResearch ? (p.version ?? p.specifier ?? null) : null,
          production: inResearch ? null : (p.version ?? p.specifier ?? null),
          numerical: isNumerical,
          source: p.source,
          undeclared,
          marker: p.marker ?? null,
        },
      }),
    );
  }

  findings.push(...compareInterpreters(a.interpreter, b.interpreter, ecosystem));
  findings.push(...comparePlatforms(a.platform, b.platform));

  const summary: EnvSummary = {
    research: sideSummary(a, pa.size),
    production: sideSummary(b, pb.size),
    packagesCompared: compared,
    unchanged: compared - changed,
    changed,
    changes: byChange,
    onlyInResearch: onlyA,
    onlyInProduction: onlyB,
    notComparable: ignored.sort(),
    numericalPackages: [...numerical].sort(),
  };
  return {
    result: { stage: STAGE, status: 'equal', reason: reasonFor(findings, changed, onlyA, onlyB), summary },
    findings,
  };
}

function reasonFor(findings: readonly Finding[], changed: number, onlyA: number, onlyB: number): string {
  if (findings.length === 0) return 'same packages and versions';
  const parts: string[] = [];
  if (changed) parts.push(`${changed} package${changed === 1 ? '' : 's'} changed`);
  if (onlyA) parts.push(`${onlyA} only in research`);
  if (onlyB) parts.push(`${onlyB} only in production`);
  if (findings.some((f) => f.cause === 'interpreter_version')) parts.push('interpreter differs');
  if (findings.some((f) => f.cause === 'platform_change')) parts.push('platform differs');
  return parts.join(', ');
}
