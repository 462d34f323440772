import { describe, expect, it } from 'vitest';
import { checkRequirements, parseRequirement, parseRequirements, requirementsFromMap } from '../../src/compare/predictions/requirements.js';

describe('performance requirements', () => {
  it('parses METRIC>=VALUE and METRIC<=VALUE, names and spaces forgiving', () => {
    expect(parseRequirement('auc>=0.85')).toEqual({ metric: 'auc', operator: '>=', value: 0.85 });
    expect(parseRequirement(' ROC_AUC >= .9 ')).toEqual({ metric: 'auc', operator: '>=', value: 0.9 });
    expect(parseRequirement('rmse<=3.5e1')).toEqual({ metric: 'rmse', operator: '<=', value: 35 });
    expect(requirementsFromMap({ f1: '>=0.7', mae: '<= 2' }, 'stages.predictions.require')).toEqual([
      { metric: 'f1', operator: '>=', value: 0.7 },
      { metric: 'mae', operator: '<=', value: 2 },
    ]);
    expect(() => parseRequirement('auc>=')).toThrow(/not a requirement/);
    expect(() => parseRequirements(['auc>=0.8', 'roc_auc>=0.9'])).toThrow(/auc is required twice/);
    expect(() => requirementsFromMap({ auc: '<=0.9' }, 'stages.predictions.require')).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
  });

  it('a metric missing on one side fails the requirement there and says so', () => {
    const metrics = { research: { rows: 10, rocAuc: 0.91, recall: 0.8 }, production: { rows: 10, rocAuc: null, recall: 0.5 } };
    const { results, findings } = checkRequirements(parseRequirements(['auc>=0.8', 'recall>=0.7']), metrics, { columns: ['y', 'p'], task: 'classification' });
    expect(results).toEqual([
      { metric: 'auc', requirement: 'auc>=0.8', research: 0.91, production: null, met: false, failed: [], missing: ['production'] },
      { metric: 'recall', requirement: 'recall>=0.7', research: 0.8, production: 0.5, met: false, failed: ['production'], missing: [] },
    ]);
    expect(findings[0]!.message).toBe('ROC AUC could not be computed in production (research 0.91): requirement ROC AUC ≥ 0.8 unchecked there');
    expect(findings[0]).toMatchObject({ cause: 'performance_requirement', severity: 'error', columns: ['y', 'p'] });
    expect(findings[1]!.evidence).toMatchObject({ research: 0.8, production: 0.5, failed: ['production'] });
  });

  it('a value exactly at the requirement meets it', () => {
    const metrics = { research: { rmse: 2 }, production: { rmse: 2 } };
    expect(checkRequirements(parseRequirements(['rmse<=2']), metrics, { columns: [], task: 'regression' }).findings).toEqual([]);
  });
});
