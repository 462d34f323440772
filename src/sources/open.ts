import { withEngine } from '../engine/engine.js';
import type { Engine, EngineOptions } from '../engine/engine.js';
import { openDataset } from './register.js';
import { asDataError } from './readable.js';
import type { Dataset } from './register.js';
import { resolveInput } from './resolve.js';
import type { InputSpec, ReadOptions } from './resolve.js';

/** Resolves every input on disk first, then runs `work` in an engine that may read exactly those inputs. */
export async function withInputs<T>(
  inputs: readonly { path: string; read?: ReadOptions }[],
  engineOptions: EngineOptions,
  work: (engine: Engine, open: (index: number, role: string) => Promise<Dataset>) => Promise<T>,
): Promise<T> {
  const specs: InputSpec[] = inputs.map((i) => resolveInput(i.path, i.read));
  const readableFiles = specs.flatMap((s) => s.files);
  const readableDirs = specs.flatMap((s) => s.dirs);
  return withEngine({ ...engineOptions, readableFiles, readableDirs }, async (engine) => {
    const opened: Dataset[] = [];
    try {
      return await work(engine, async (index, role) => {
        const d = await openDataset(engine, specs[index]!, role);
        opened.push(d);
        return d;
      });
    } catch (e) {
      throw await asDataError(engine, opened, e);
    }
  });
}
