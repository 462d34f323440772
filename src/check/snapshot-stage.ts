/**
 * Snapshot references in `check` (`research: { data: research.snapshot.json#raw }`): the research side of
 * the data, features and env stages may be a snapshot, as with the stage commands. Row-level stages
 * (splits, predictions) need rows, which a snapshot does not hold.
 */
import type { DataCompareOptions } from '../compare/data/index.js';
import type { Engine } from '../engine/engine.js';
import { ReprodiffError } from '../errors.js';
import type { Stage, StageOutcome } from '../findings/types.js';
import { compareSnapshotToDataset, isSnapshotRef, parseSnapshotRef, readSnapshot, selectArtifact } from '../snapshot/index.js';
import type { SnapshotArtifact } from '../snapshot/index.js';
import { readEnvironment, readEnvironmentUnquoted } from '../sources/env/detect.js';
import type { Environment } from '../sources/env/model.js';
import type { Dataset } from '../sources/register.js';
import type { CheckPlan } from './plan.js';

/** The research artifacts of the plan that are snapshot references, read and checked before any engine starts. */
export function snapshotArtifacts(plan: CheckPlan): Map<Stage, { ref: string; artifact: SnapshotArtifact }> {
  const out = new Map<Stage, { ref: string; artifact: SnapshotArtifact }>();
  for (const stage of ['data', 'features', 'splits', 'predictions'] as const) {
    const { research, production } = plan.artifacts[stage];
    if (production && isSnapshotRef(production)) {
      throw new ReprodiffError('E_USAGE', `${production}: a snapshot can only stand in for the research side`, {
        suggestion: `put the snapshot under research.${stage} and production data under production.${stage}`,
      });
    }
    if (!research || !isSnapshotRef(research)) continue;
    if (stage === 'splits' || stage === 'predictions') {
      throw new ReprodiffError('E_USAGE', `${research}: a snapshot holds no rows, so it cannot stand in for ${stage}`, {
        suggestion: 'snapshots stand in for data, features and env; give the research file for this stage',
      });
    }
    const ref = parseSnapshotRef(research);
    out.set(stage, { ref: research, artifact: selectArtifact(readSnapshot(ref.path), ref).artifact });
  }
  return out;
}

/** The data or features stage against a research snapshot: every check the snapshot can answer, and the skipped ones listed. */
export async function compareSnapshotStage(
  engine: Engine,
  stage: 'data' | 'features',
  snapshot: { ref: string; artifact: SnapshotArtifact },
  production: Dataset,
  options: DataCompareOptions,
): Promise<StageOutcome> {
  // A snapshot holds no rows, so it has no positions: the option would be dropped without a word.
  if (options.byPosition) {
    throw new ReprodiffError('E_USAGE', `${stage}: byPosition needs the research rows, and ${snapshot.ref} is a snapshot (their fingerprint only)`, {
      suggestion: 'compare the research data itself, or give the stage a key',
    });
  }
  const { outcome } = await compareSnapshotToDataset(engine, snapshot.artifact, production, { ...options, stage, label: snapshot.ref });
  return outcome;
}

/** An environment file, or the environment stored in a snapshot (`research.snapshot.json#env` or the snapshot alone). */
export function readEnvironmentSide(path: string, quoteLines = true): Environment {
  if (!isSnapshotRef(path)) return quoteLines ? readEnvironment(path) : readEnvironmentUnquoted(path);
  const ref = parseSnapshotRef(path);
  const snapshot = readSnapshot(ref.path);
  if (!snapshot.env) throw new ReprodiffError('E_SNAPSHOT', `${ref.path}: the snapshot holds no environment`, { suggestion: 'write it with reprodiff snapshot --env requirements.txt' });
  return snapshot.env;
}
