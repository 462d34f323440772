import type { PipelineConfig, StageDependency } from '../config/types.js';
import { ReprodiffError } from '../errors.js';
import type { Stage } from '../findings/types.js';
import { STAGES } from '../findings/types.js';

type TableStage = Exclude<Stage, 'env'>;

/**
 * How the stages feed each other. The default is the usual scikit-learn pipeline: the split is drawn
 * over the raw rows, the imputer/scaler/encoder are fitted on the training split and transform every
 * row, and the model is trained on the training rows' features.
 */
export const DEFAULT_PIPELINE: Readonly<Record<TableStage, Required<StageDependency>>> = {
  data: { dependsOn: [], fittedOn: 'none' },
  splits: { dependsOn: ['data'], fittedOn: 'none' },
  features: { dependsOn: ['data'], fittedOn: 'splits' },
  predictions: { dependsOn: ['data', 'features', 'splits'], fittedOn: 'splits' },
};

/** The declared (or default) dependencies and the order the walk follows. */
export interface StageGraph {
  /** Table stages upstream first (ties in checklist order), then env, which feeds every stage. */
  readonly order: readonly Stage[];
  readonly dependsOn: (stage: Stage) => readonly Stage[];
  readonly fittedOn: (stage: Stage) => Stage | null;
  /** Every stage upstream of `stage` through either kind of edge, in walk order. */
  readonly upstream: (stage: Stage) => readonly Stage[];
}

/** Builds the graph from `pipeline:` (each stage's fields override the default), or explains the cycle in one line. */
export function stageGraph(pipeline: PipelineConfig | undefined): StageGraph {
  const deps = new Map<Stage, { dependsOn: readonly Stage[]; fittedOn: Stage | null }>();
  for (const stage of Object.keys(DEFAULT_PIPELINE) as TableStage[]) {
    const d = { ...DEFAULT_PIPELINE[stage], ...pipeline?.[stage] };
    const dependsOn = d.dependsOn.filter((s) => s !== stage);
    const fittedOn = d.fittedOn === 'none' || d.fittedOn === stage ? null : d.fittedOn;
    deps.set(stage, { dependsOn, fittedOn });
  }
  deps.set('env', { dependsOn: [], fittedOn: null });
  const direct = (s: Stage) => {
    const d = deps.get(s)!;
    return d.fittedOn ? [...d.dependsOn, d.fittedOn] : [...d.dependsOn];
  };
  // Topological order, checklist order among stages that are ready together; env last.
  const order: Stage[] = [];
  const tables: Stage[] = STAGES.filter((s) => s !== 'env');
  while (order.length < tables.length) {
    const next = tables.find((s) => !order.includes(s) && direct(s).every((u) => order.includes(u)));
    if (!next) {
      const stuck = tables.filter((s) => !order.includes(s));
      throw new ReprodiffError(
        'E_CONFIG',
        `pipeline: ${stuck
          .map(
            (s) =>
              `${s} ← ${direct(s)
                .filter((u) => stuck.includes(u))
                .join(', ')}`,
          )
          .join('; ')}: the stages depend on each other in a cycle`,
        {
          suggestion: 'declare each stage with dependsOn (its inputs) and fittedOn (the split it is fitted on) so that no stage feeds itself',
        },
      );
    }
    order.push(next);
  }
  order.push('env');
  const upstream = (stage: Stage): Stage[] => {
    const seen = new Set<Stage>();
    const visit = (s: Stage) => {
      for (const u of direct(s)) {
        if (!seen.has(u)) {
          seen.add(u);
          visit(u);
        }
      }
    };
    visit(stage);
    return order.filter((s) => seen.has(s));
  };
  return { order, dependsOn: (s) => deps.get(s)!.dependsOn, fittedOn: (s) => deps.get(s)!.fittedOn, upstream };
}
