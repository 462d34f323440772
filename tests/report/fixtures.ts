/**
 * Fixed report documents for the renderer tests. They go through `buildReport` so statuses, verdict and
 * ordering are what the library would produce; the tool version is pinned so snapshots never move.
 */
import { buildReport, finding } from '../../src/findings/report.js';
import type { Command, FailOn, Report, StageOutcome } from '../../src/findings/types.js';
import type { RenderOptions } from '../../src/report/index.js';
import { column, dataSummary, envSummary, featuresSummary, predictionsSummary, profile, skippedSummary, splitsSummary } from '../helpers/summaries.js';

export const OPTIONS: RenderOptions = { verbose: false, color: false };
export const VERBOSE: RenderOptions = { verbose: true, color: false };

function pinned(command: Command, outcomes: StageOutcome[], failOn: FailOn = 'warning'): Report {
  return { ...buildReport(command, outcomes, failOn), tool: { name: 'reprodiff', version: '0.0.0-fixture' } };
}

/** Deterministic pseudo-random numbers in [0, 1) (a small LCG), so fixtures are fixed without literal tables. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Bell-shaped counts over `edges` (bin centres), scaled to about `total` rows. */
function bell(edges: readonly number[], mean: number, sd: number, total: number): number[] {
  const raw = edges.slice(1).map((e, i) => Math.exp(-(((e + edges[i]!) / 2 - mean) ** 2) / (2 * sd * sd)));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => Math.round((r / sum) * total));
}

function range(from: number, to: number, bins: number): number[] {
  return Array.from({ length: bins + 1 }, (_, i) => Number((from + ((to - from) * i) / bins).toFixed(10)));
}

const ageEdges = range(18, 78, 12);
const ageCounts = bell(ageEdges, 44, 12, 10_000);
const incomeEdges = range(0, 200_000, 16);
const incomeCounts = bell(incomeEdges, 62_000, 28_000, 10_000);
const scaledEdges = range(-3, 3, 24);

function stats(mean: number, std: number, nulls: number) {
  return profile({ mean, std, min: mean - 3 * std, max: mean + 3 * std, nulls });
}

/** Every stage reproduces (one informational finding, hidden unless verbose). */
export function equalReport(): Report {
  return pinned('check', [
    {
      result: {
        stage: 'data',
        status: 'equal',
        reason: '',
        summary: dataSummary({
          rows: { research: 10_000, production: 10_000, common: 10_000, onlyResearch: 0, onlyProduction: 0, duplicateRowsResearch: 0, duplicateRowsProduction: 0 },
          columns: {
            age: column({
              researchType: 'INTEGER',
              productionType: 'BIGINT',
              typeChange: 'widening',
              histogram: { edges: ageEdges, research: ageCounts, production: ageCounts },
              research: stats(44.1, 12.02, 0),
              production: stats(44.1, 12.02, 0),
              tests: { drift: { test: 'ks', value: 0, threshold: 0.05, drifted: false } },
            }),
          },
        }),
      },
      findings: [
        finding({
          stage: 'data',
          severity: 'info',
          cause: 'type_widening',
          columns: ['age'],
          message: 'age is INTEGER in research and BIGINT in production (compatible widening)',
          evidence: { research: 'INTEGER', production: 'BIGINT' },
        }),
      ],
    },
    { result: { stage: 'features', status: 'equal', reason: '', summary: featuresSummary() }, findings: [] },
    { result: { stage: 'splits', status: 'equal', reason: '', summary: splitsSummary() }, findings: [] },
    { result: { stage: 'predictions', status: 'equal', reason: '', summary: predictionsSummary({ rows: { research: 10_000, production: 10_000 } }) }, findings: [] },
    { result: { stage: 'env', status: 'equal', reason: '', summary: envSummary({ packagesCompared: 84, unchanged: 84 }) }, findings: [] },
  ]);
}

/** The debugging story: raw data equal, features break (drift + null handling), splits and predictions inherit it, env skipped. */
export function checkReport(): Report {
  const rand = lcg(42);
  const scoreSample: [number, number][] = Array.from({ length: 240 }, (_, i) => {
    const research = Number(rand().toFixed(4));
    const shifted = i % 5 === 0 ? (rand() - 0.5) * 0.3 : (rand() - 0.5) * 0.002;
    return [research, Number(Math.min(1, Math.max(0, research + shifted)).toFixed(4))];
  });
  const diffEdges = range(-0.2, 0.2, 20);
  const diffCounts = bell(diffEdges, 0, 0.035, 9_000).map((c, i) => c + (i % 7 === 0 ? 60 : 25));
  return pinned('check', [
    {
      result: {
        stage: 'data',
        status: 'equal',
        reason: 'keyed on customer_id',
        summary: dataSummary({
          columns: {
            age: column({
              histogram: { edges: ageEdges, research: ageCounts, production: ageCounts },
              research: stats(44.1, 12.02, 0),
              production: stats(44.1, 12.02, 0),
              tests: { drift: { test: 'ks', value: 0, threshold: 0.05, drifted: false } },
            }),
            income: column({
              histogram: { edges: incomeEdges, research: incomeCounts, production: incomeCounts },
              research: stats(64_210.5, 27_811.25, 4_812),
              production: stats(64_210.5, 27_811.25, 4_812),
              tests: { drift: { test: 'ks', value: 0, threshold: 0.05, drifted: false } },
            }),
          },
        }),
      },
      findings: [],
    },
    {
      result: {
        stage: 'features',
        status: 'different',
        reason: '',
        summary: featuresSummary({
          columns: {
            income_scaled: column({
              histogram: { edges: scaledEdges, research: bell(scaledEdges, 0, 1, 10_000), production: bell(scaledEdges, -0.42, 0.83, 10_000) },
              research: stats(0, 1, 4_812),
              production: stats(-0.4187, 0.8312, 0),
              tests: { drift: { test: 'ks', value: 0.2113, threshold: 0.05, drifted: true } },
            }),
            region: column({
              researchType: 'VARCHAR',
              productionType: 'VARCHAR',
              categories: { values: ['north', 'south', 'east', 'west', 'unknown'], research: [2900, 2600, 2300, 2200, 0], production: [2750, 2480, 2210, 2080, 480] },
              research: profile({ distinct: 4, nulls: 480 }),
              production: profile({ distinct: 5, nulls: 0 }),
              tests: { drift: { test: 'chi2', value: 0.0041, threshold: 0.05, drifted: true } },
            }),
            age_bucket: column({
              researchType: 'VARCHAR',
              productionType: 'VARCHAR',
              categories: { values: ['18-30', '31-45', '46-60', '61+'], research: [2400, 3300, 2800, 1500], production: [2400, 3300, 2800, 1500] },
              tests: { drift: { test: 'chi2', value: 1, threshold: 0.05, drifted: false } },
            }),
          },
        }),
      },
      findings: [
        finding({
          stage: 'features',
          severity: 'error',
          cause: 'null_handling',
          columns: ['income_scaled'],
          rowsAffected: 4_812,
          message: 'income_scaled differs on 4,812 rows; all of them have null income in raw data (research keeps null, production fills 0 before scaling)',
          evidence: { rowsDiffering: 4_812, nullInRaw: 4_812, researchNulls: 4_812, productionNulls: 0, productionFillValue: -1.7412 },
          sampleKeys: [1007, 1013, 1022],
        }),
        finding({
          stage: 'features',
          severity: 'warning',
          cause: 'distribution_drift',
          columns: ['income_scaled'],
          rowsAffected: null,
          message: 'income_scaled distribution moved (KS 0.2113 > 0.05)',
          evidence: { ks: 0.2113, pValue: 1.2e-187, psi: 0.3391, wasserstein: 0.4187, threshold: 0.05 },
        }),
        finding({
          stage: 'features',
          severity: 'warning',
          cause: 'unseen_category',
          columns: ['region'],
          rowsAffected: 480,
          message: "region has a category production produces and research never does: 'unknown' (480 rows)",
          evidence: { categories: ['unknown'], rows: 480 },
        }),
      ],
    },
    {
      result: {
        stage: 'splits',
        status: 'different',
        reason: 'stratified on region',
        summary: splitsSummary({
          transitions: {
            research: ['train', 'valid', 'test'],
            production: ['train', 'valid', 'test'],
            counts: [
              [6_890, 61, 49],
              [58, 1_420, 22],
              [52, 18, 1_430],
            ],
          },
        }),
      },
      findings: [
        finding({
          stage: 'splits',
          severity: 'error',
          cause: 'split_membership',
          columns: ['split'],
          rowsAffected: 260,
          message: '260 rows are in a different split; the stratification column region gained a category',
          evidence: { moved: 260, agreement: 0.974, byResearchSplit: { train: 110, valid: 80, test: 70 } },
          propagatedFrom: 'features',
        }),
      ],
    },
    {
      result: {
        stage: 'predictions',
        status: 'different',
        reason: '',
        summary: predictionsSummary({ differences: { edges: diffEdges, counts: diffCounts }, scoreSample }),
      },
      findings: [
        finding({
          stage: 'predictions',
          severity: 'error',
          cause: 'prediction_mismatch',
          columns: ['score'],
          rowsAffected: 4_931,
          message: 'score differs beyond 1e-6 on 4,931 rows; 4,812 of them are the rows whose income_scaled differs',
          evidence: { tolerance: 1e-6, maxAbsDiff: 0.1987, meanAbsDiff: 0.0213, explainedByUpstream: 4_812 },
          sampleKeys: [1007, 1013, 1022],
          propagatedFrom: 'features',
        }),
        finding({
          stage: 'predictions',
          severity: 'info',
          cause: 'numeric_noise',
          columns: ['score'],
          rowsAffected: 119,
          message: '119 rows differ by less than 1e-12 (floating-point noise)',
          evidence: { maxAbsDiff: 4.4e-16 },
          propagatedFrom: 'features',
        }),
      ],
    },
    { result: { stage: 'env', status: 'skipped', reason: 'no environment files were given (env: in reprodiff.yml)', summary: skippedSummary }, findings: [] },
  ]);
}

/** Text a renderer must neither execute nor let break its markup. */
export const NASTY = {
  script: '<script>window.__pwned = 1</script>',
  img: '<img src=x onerror="window.__pwned=2">',
  cdata: 'end]]>of<![CDATA[x',
  quotes: `"double" & 'single' | pipe \`tick\` *star* _under_ [link](javascript:alert(1))`,
  unicode: 'préférence 😀 列 ⟨x⟩ \u202Eevil',
  control: 'bell\u0007nul\u0000esc\u001b[31mred\u001b[0m del\u007f',
  lines: 'line one\r\nline two\nline three',
  surrogate: 'lone \uD800 surrogate \uFFFF',
  percent: '100% of rows :: changed, really',
} as const;

/** Every field a user controls filled with hostile or unusual text. */
export function nastyReport(): Report {
  const cols = [NASTY.script, NASTY.cdata, NASTY.quotes, NASTY.unicode, NASTY.control];
  const edges = [0, 1, 2, 3];
  return pinned('features', [
    {
      result: {
        stage: 'features',
        status: 'different',
        reason: NASTY.img,
        summary: featuresSummary({
          columns: {
            [NASTY.script]: column({ histogram: { edges, research: [1, 2, 3], production: [3, 2, 1] }, tests: { drift: { test: NASTY.quotes, value: 0.5, threshold: 0.1, drifted: true } } }),
            [NASTY.unicode]: column({
              researchType: NASTY.lines,
              productionType: 'VARCHAR',
              categories: { values: [NASTY.img, NASTY.cdata, NASTY.control], research: [5, 5, 0], production: [4, 5, 1] },
            }),
            [NASTY.control]: column({ research: profile({ min: NASTY.surrogate }), production: profile({ min: NASTY.script }) }),
          },
        }),
      },
      findings: cols.map((c, i) =>
        finding({
          stage: 'features',
          severity: i % 2 === 0 ? 'error' : 'warning',
          cause: 'value_changed',
          columns: [c, NASTY.quotes],
          rowsAffected: i,
          message: [NASTY.lines, NASTY.percent, NASTY.surrogate, c].join(' / '),
          evidence: { [NASTY.script]: NASTY.cdata, nested: { [NASTY.quotes]: [NASTY.control, 1, null, true] }, fence: '```\n</details>\n```' },
          sampleKeys: [NASTY.img, NASTY.unicode],
        }),
      ),
    },
  ]);
}

/** Built with `--fail-on error`: the warning leaves its stage equal, so it must not fail the JUnit run either. */
export function warningOnlyReport(): Report {
  return pinned(
    'predictions',
    [
      {
        result: { stage: 'predictions', status: 'equal', reason: '', summary: predictionsSummary() },
        findings: [finding({ stage: 'predictions', severity: 'warning', cause: 'numeric_noise', columns: ['score'], rowsAffected: 12, message: '12 rows differ by at most 3e-9' })],
      },
    ],
    'error',
  );
}

export const ALL_FIXTURES = { equal: equalReport, check: checkReport, nasty: nastyReport, warningOnly: warningOnlyReport } as const;
