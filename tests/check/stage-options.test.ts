import { describe, expect, it } from 'vitest';
import { predictionTolerance, tolerances } from '../../src/check/stage-options.js';
import type { ReprodiffConfig } from '../../src/config/types.js';

describe('check: a stage tolerance and the global one merge field by field, in every stage', () => {
  const config = (global?: { abs?: number; rel?: number }, stage?: { abs?: number; rel?: number }) =>
    ({ tolerance: global, stages: { predictions: stage ? { tolerance: stage } : {}, data: stage ? { tolerance: stage } : {} } }) as unknown as ReprodiffConfig;

  it('predictions: the stage abs and the global rel both hold, as for the table stages', () => {
    expect(predictionTolerance(config({ rel: 1e-6 }, { abs: 0.01 }))).toEqual({ abs: 0.01, rel: 1e-6 });
    expect(tolerances({ rel: 1e-6 }, { abs: 0.01 }).default).toEqual({ abs: 0.01, rel: 1e-6 });
  });

  it('predictions: the stage value wins where both set one; nothing set is exact', () => {
    expect(predictionTolerance(config({ abs: 1, rel: 1e-6 }, { abs: 0.01 }))).toEqual({ abs: 0.01, rel: 1e-6 });
    expect(predictionTolerance(config({ abs: 1 }))).toEqual({ abs: 1, rel: 0 });
    expect(predictionTolerance(config())).toBeUndefined();
  });
});
