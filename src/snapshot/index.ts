/** Snapshots: write a compact fingerprint of research artifacts, and compare production against it. */
import { buildReport } from '../findings/report.js';
import type { Report, Stage } from '../findings/types.js';
import { ReprodiffError } from '../errors.js';
import type { DataCompareOptions } from '../compare/data/index.js';
import type { PairRunOptions } from '../run/data.js';
import { withInputs } from '../sources/open.js';
import { compareSnapshotToDataset } from './compare.js';
import { isSnapshotRef, parseSnapshotRef, readSnapshot, selectArtifact } from './read.js';

export { compareSnapshotToDataset, knotsOf, sketchBounds } from './compare.js';
export type { SkippedCheck, SnapshotCompareOptions, SnapshotComparison } from './compare.js';
export { isSnapshotRef, parseSnapshotRef, readSnapshot, selectArtifact, validateSnapshot } from './read.js';
export { makeSnapshot } from './write.js';
export type { SnapshotOptions } from './write.js';
export { serializeSnapshot } from './serialize.js';
export * from './types.js';

/**
 * `reprodiff data|features snapshot.json#artifact production`: reads the snapshot, opens production alone in a
 * locked-down engine, compares, and builds the report (the stage is named after the command).
 */
export async function runSnapshotComparison(stage: Extract<Stage, 'data' | 'features'>, research: string, production: string, options: DataCompareOptions & PairRunOptions = {}): Promise<Report> {
  if (isSnapshotRef(production)) {
    throw new ReprodiffError('E_USAGE', `${production}: a snapshot can only stand in for the research side`, { suggestion: 'put the snapshot first and production data second' });
  }
  const ref = parseSnapshotRef(research);
  const snapshot = readSnapshot(ref.path);
  const { artifact } = selectArtifact(snapshot, ref);
  return withInputs([{ path: production, read: options.read }], options.engine ?? {}, async (engine, open) => {
    options.onProgress?.('opening inputs');
    const b = await open(0, 'production');
    const { outcome } = await compareSnapshotToDataset(engine, artifact, b, { ...options, stage, label: research });
    return buildReport(stage, [outcome], options.failOn);
  });
}
