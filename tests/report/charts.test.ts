import { describe, expect, it } from 'vitest';
import { column, dataSummary, predictionsSummary, profile, skippedSummary, splitsSummary } from '../helpers/summaries.js';
import {
  categoryChart,
  differenceChart,
  escapeXml,
  histogramChart,
  niceTicks,
  printable,
  readColumns,
  readDifferences,
  readScoreSample,
  readTransitions,
  scoreScatter,
  sharesDiffer,
  transitionHeatmap,
} from '../../src/report/charts.js';

describe('text escaping', () => {
  it('makes invisible and XML-illegal characters visible', () => {
    expect(printable('a\u0000b\u0007c\u001bd\u007fe\u202Ef\uD800g\uFFFF')).toBe('a\\u0000b\\u0007c\\u001Bd\\u007Fe\\u202Ef\\uD800g\\uFFFF');
    expect(printable('tab\tnew\nline ok 😀 列')).toBe('tab\tnew\nline ok 😀 列');
  });

  it('escapes markup characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('niceTicks', () => {
  it('gives round steps inside the range', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(18, 78, 6)).toEqual([20, 30, 40, 50, 60, 70]);
    expect(niceTicks(-0.2, 0.2, 6)).toEqual([-0.2, -0.1, 0, 0.1, 0.2]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });
});

describe('summary readers', () => {
  it('read the drawable shapes and skip those a chart cannot draw', () => {
    const columns = readColumns(
      dataSummary({
        columns: {
          ok: column({ histogram: { edges: [0, 1, 2], research: [1, 2], production: [2, 1] }, tests: { drift: { test: 'ks', value: 0.1, threshold: 0.05, drifted: true } } }),
          shortCounts: column({ histogram: { edges: [0, 1, 2], research: [1], production: [2, 1] } }),
          unsorted: column({ histogram: { edges: [2, 1, 0], research: [1, 1], production: [1, 1] } }),
          nanEdge: column({ histogram: { edges: [0, Number.NaN, 2], research: [1, 1], production: [1, 1] } }),
          cats: column({ categories: { values: ['a', 'null'], research: [1, 0], production: [0, 1] } }),
          stats: column({ research: profile({ mean: 1, min: 'x' }), production: profile({ mean: 2 }) }),
        },
      }),
    );
    expect(columns.map((c) => c.name)).toEqual(['ok', 'shortCounts', 'unsorted', 'nanEdge', 'cats', 'stats']);
    expect(columns[0]!.histogram).toBeDefined();
    expect(columns[0]!.drift).toEqual({ test: 'ks', value: 0.1, threshold: 0.05, drifted: true });
    expect(columns.slice(1, 4).every((c) => c.histogram === undefined)).toBe(true);
    expect(columns[4]!.categories!.values).toEqual(['a', 'null']);
    expect(columns[5]!.statistics).toEqual([
      ['type', 'DOUBLE', 'DOUBLE'],
      ['mean', 1, 2],
      ['min', 'x', null],
    ]);
    expect(readColumns(dataSummary())).toEqual([]);
    expect(readColumns(skippedSummary)).toEqual([]);
  });

  it('read transitions, differences and score samples only when consistent', () => {
    expect(readTransitions(splitsSummary({ transitions: { research: ['a'], production: ['a', 'b'], counts: [[1, 2]] } }))).toBeDefined();
    expect(readTransitions(splitsSummary({ transitions: { research: ['a'], production: ['a', 'b'], counts: [[1]] } }))).toBeUndefined();
    expect(readTransitions(skippedSummary)).toBeUndefined();
    expect(readDifferences(predictionsSummary({ differences: { edges: [0, 1], counts: [3] } }))).toEqual({ edges: [0, 1], counts: [3] });
    expect(readDifferences(predictionsSummary({ differences: { edges: [0, 1], counts: [3, 4] } }))).toBeUndefined();
    expect(readDifferences(predictionsSummary({ differences: { edges: [], counts: [] } }))).toBeUndefined();
    expect(
      readScoreSample(
        predictionsSummary({
          scoreSample: [
            [0.1, 0.2],
            [Number.NaN, 1],
            [null, 1],
          ],
        }),
      ),
    ).toEqual([[0.1, 0.2]]);
    expect(readScoreSample(predictionsSummary({ scoreSample: [] }))).toBeUndefined();
  });

  it('compares shares, not raw counts', () => {
    expect(sharesDiffer([1, 2], [10, 20])).toBe(false);
    expect(sharesDiffer([1, 2], [2, 1])).toBe(true);
  });
});

describe('charts', () => {
  const charts = [
    histogramChart('x<y', { edges: [0, 1, 2, 3], research: [1, 2, 3], production: [3, 2, 1] }),
    histogramChart('constant', { edges: [5, 5], research: [4], production: [4] }),
    categoryChart('c', { values: ['a', '<b>'], research: [1, 0], production: [0, 1] }),
    transitionHeatmap({
      research: ['train', 'test'],
      production: ['train', 'test'],
      counts: [
        [9, 1],
        [0, 5],
      ],
    })!,
    differenceChart({ edges: [-1, 0, 1], counts: [2, 3] }),
    scoreScatter([
      [0, 0],
      [1, 0.5],
    ]),
  ];

  it('are single, escaped, finite SVG elements', () => {
    for (const svg of charts) {
      expect(svg.startsWith('<svg class="chart"')).toBe(true);
      expect(svg.endsWith('</svg>')).toBe(true);
      expect(svg.match(/<svg/g)).toHaveLength(1);
      expect(svg).not.toMatch(/NaN|Infinity|undefined/);
      expect(svg).not.toMatch(/<b>|x<y/);
    }
  });

  it('skip a heatmap too large to read', () => {
    const labels = Array.from({ length: 41 }, (_, i) => String(i));
    expect(transitionHeatmap({ research: labels, production: ['a'], counts: labels.map(() => [1]) })).toBeUndefined();
  });
});

describe('the data comparator summary shape', () => {
  it('reads type pairs, nested quantiles, booleans and a column present on one side only', () => {
    const [col] = readColumns(
      dataSummary({
        columns: {
          flag: column({
            researchType: 'INTEGER',
            productionType: 'BIGINT',
            typeChange: 'widening',
            differingRows: 3,
            research: profile({ type: 'INTEGER', rows: 10, nulls: 0, min: false, quantiles: { p50: 1 }, top: [{ value: 'a', count: 3 }] }),
            production: null,
          }),
        },
      }),
    );
    expect(col!.statistics).toEqual([
      ['type', 'INTEGER', 'BIGINT'],
      ['type', 'INTEGER', null],
      ['rows', 10, null],
      ['nulls', 0, null],
      ['min', false, null],
      ['quantiles.p50', 1, null],
    ]);
  });
});
