/**
 * The stage registry (src/stages/registry.ts) against every place that declares a stage's options: the stage
 * commands' flags, check's flags, reprodiff.yml's JSON Schema, check's mapping of the config to each
 * stage's options, and the README. A flag added to a stage command without registering it fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Check from '../../commands/check.js';
import Data from '../../commands/data.js';
import Env from '../../commands/env.js';
import Features from '../../commands/features.js';
import Predictions from '../../commands/predictions.js';
import Splits from '../../commands/splits.js';
import { envOptions, featuresOptions, predictionsOptions, readSettings, splitsOptions, tableOptions } from '../../src/check/stage-options.js';
import { ReprodiffCommand } from '../../src/cli/base-command.js';
import type { ReprodiffConfig } from '../../src/config/types.js';
import type { Stage } from '../../src/findings/types.js';
import { withSettings } from '../../src/run/check.js';
import { MATCHING_OPTIONS, STAGE_OPTIONS } from '../../src/stages/registry.js';
import type { StageOption } from '../../src/stages/registry.js';
import { ROOT } from '../helpers/cli.js';

const COMMANDS = { data: Data, features: Features, splits: Splits, predictions: Predictions, env: Env } as const;
const STAGES = Object.keys(COMMANDS) as Stage[];

interface FlagShape {
  readonly type: string;
  readonly multiple?: boolean;
  readonly allowNo?: boolean;
}
const flagsOf = (command: { flags?: object; baseFlags?: object }) => ({ ...command.baseFlags, ...command.flags }) as Record<string, FlagShape>;

/** Flags every command has: outputs, engine, database, --fail-on (src/cli/base-command.ts). */
const BASE_FLAGS = new Set(Object.keys(ReprodiffCommand.baseFlags));
/** A stage command's flags that are no comparison option: where it writes, or the extra inputs it opens. */
const NON_COMPARISON_FLAGS: Readonly<Record<Stage, readonly string[]>> = {
  data: ['diff-rows'],
  features: ['diff-rows'],
  splits: ['raw-research', 'raw-production'],
  predictions: ['features-research', 'features-production'],
  env: [],
};
/** check's own flags: what it compares and writes, not how. */
const CHECK_ONLY_FLAGS = ['require-stages', 'write-config', 'diff-rows-dir'];
/** reprodiff.yml's top-level keys that are no comparison option. */
const NON_OPTION_KEYS = ['$schema', 'version', 'failOn', 'requireStages', 'research', 'production', 'pipeline', 'stages'];
/**
 * Config keys `check` applies outside the per-stage options, each with the test that shows it: the key is
 * resolved by the walk (a stage's own, else the shared one), mask: hides values in the finished report.
 */
const APPLIED_BY_THE_WALK: Record<string, string> = {
  key: 'tests/check/options-matrix.e2e.test.ts',
  mask: 'tests/options/mask.e2e.test.ts',
};

type Json = { $ref?: string; properties?: Record<string, Json>; [k: string]: unknown };
const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/config.schema.json'), 'utf8')) as Json;
const deref = (node: Json): Json => (node.$ref ? deref((schema.$defs as Record<string, Json>)[node.$ref.replace('#/$defs/', '')]!) : node);
function schemaAt(path: readonly string[]): Json | undefined {
  let node: Json | undefined = schema;
  for (const part of path) node = node && deref(node).properties?.[part];
  return node && deref(node);
}
/** The dotted paths of a schema object's options: a registered path, or else the leaves beneath it. */
function schemaPaths(node: Json, registered: ReadonlySet<string>, prefix = ''): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([k, child]) => {
    const path = `${prefix}${k}`;
    const d = deref(child);
    return registered.has(path) || !d.properties ? [path] : schemaPaths(d, registered, `${path}.`);
  });
}

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** A value of each type that differs from the default, as reprodiff.yml would hold it. */
function sampleValue(o: StageOption): unknown {
  switch (o.type) {
    case 'key':
    case 'column':
      return 'col_x';
    case 'columns':
    case 'packages':
      return ['col_x'];
    case 'renames':
      return { col_x: 'col_y' };
    case 'boolean':
      return true;
    case 'integer':
      return 7;
    case 'number':
      return 0.25;
    case 'text':
      return 'psi';
    case 'enum':
      return o.values?.at(-1) ?? 'x';
    case 'columnTolerances':
      return { col_x: { abs: 0.5 } };
    case 'columnTests':
      return { col_x: 'psi' };
    case 'columnThresholds':
      return { col_x: 0.2 };
    case 'requirements':
      return { auc: '>=0.8' };
  }
}
function setAt(path: string, value: unknown): Record<string, unknown> {
  return path.split('.').reduceRight<unknown>((inner, part) => ({ [part]: inner }), value) as Record<string, unknown>;
}
/** What `check` hands a stage's comparator for a config (the key aside: the walk resolves it). */
function checkOptions(config: ReprodiffConfig, stage: Stage): unknown {
  switch (stage) {
    case 'data':
      return { ...tableOptions(config, 'data', undefined), read: readSettings(config) };
    case 'features':
      return { ...tableOptions(config, 'features', undefined), ...featuresOptions(config), read: readSettings(config) };
    case 'splits':
      return { ...splitsOptions(config, undefined), read: readSettings(config) };
    case 'predictions':
      return { ...predictionsOptions(config, undefined), read: readSettings(config) };
    case 'env':
      return envOptions(config);
  }
}
const BASE: ReprodiffConfig = { research: { data: 'a.csv' }, production: { data: 'b.csv' } };

describe('stage registry', () => {
  describe.each(STAGES)('%s', (stage) => {
    const options = STAGE_OPTIONS[stage];
    const flags = flagsOf(COMMANDS[stage]);

    it('registers every flag of the stage command that is not an output, engine or input flag', () => {
      const registered = new Set(options.flatMap((o) => (o.flag ? [o.flag] : [])));
      const unregistered = Object.keys(flags).filter((f) => !registered.has(f) && !BASE_FLAGS.has(f) && !NON_COMPARISON_FLAGS[stage].includes(f));
      expect(unregistered, `register these ${stage} flags in src/stages/registry.ts`).toEqual([]);
    });

    it('names only flags the stage command has, of the registered type', () => {
      const wrong = options.flatMap((o) => {
        if (!o.flag) return [];
        const f = flags[o.flag];
        if (!f) return [`--${o.flag}: not a flag of ${stage}`];
        if ((f.type === 'boolean') !== (o.type === 'boolean')) return [`--${o.flag}: registered as ${o.type}, the flag is ${f.type}`];
        if (f.multiple && !['columns', 'renames', 'columnTolerances', 'columnTests', 'columnThresholds', 'requirements'].includes(o.type)) return [`--${o.flag}: repeatable, registered as ${o.type}`];
        return [];
      });
      expect(wrong).toEqual([]);
    });

    it('puts every config key where schemas/config.schema.json has it', () => {
      const missing = options.flatMap((o) => [
        ...(o.stageKey && !schemaAt(['stages', stage, ...o.stageKey.split('.')]) ? [`stages.${stage}.${o.stageKey}`] : []),
        ...(o.globalKey && !schemaAt(o.globalKey.split('.')) ? [o.globalKey] : []),
      ]);
      expect(missing).toEqual([]);
    });

    it("registers every option of the schema's stages section", () => {
      const registered = new Set(options.flatMap((o) => (o.stageKey ? [o.stageKey] : [])));
      const section = schemaAt(['stages', stage])!;
      expect(schemaPaths(section, registered).filter((p) => !registered.has(p))).toEqual([]);
    });

    it('check takes every option marked for it: a flag of check, a config key that reaches the stage', () => {
      const checkFlags = flagsOf(Check);
      const baseline = JSON.stringify(checkOptions(BASE, stage));
      const wrong = options.flatMap((o) => {
        const out: string[] = [];
        if (o.check.includes('flag') && !(o.flag && checkFlags[o.flag])) out.push(`--${o.flag}: check has no such flag`);
        if (o.check.length === 0 && !o.reason) out.push(`--${o.flag}: left out of check without a reason`);
        if (!o.check.includes('config')) return out;
        if (!o.stageKey && !o.globalKey) out.push(`--${o.flag}: accepted by check's config, but has no config key`);
        const places = [
          ...(o.stageKey ? [{ at: `stages.${stage}.${o.stageKey}`, config: { ...BASE, stages: { [stage]: setAt(o.stageKey, sampleValue(o)) } } }] : []),
          ...(o.globalKey ? [{ at: o.globalKey, config: { ...BASE, ...setAt(o.globalKey, sampleValue(o)) } }] : []),
        ];
        for (const p of places) {
          const root = p.at.replace(/^stages\.\w+\./, '');
          if (APPLIED_BY_THE_WALK[root]) continue;
          if (JSON.stringify(checkOptions(p.config as ReprodiffConfig, stage)) === baseline) out.push(`${p.at}: check ignores it`);
        }
        return out;
      });
      expect(wrong).toEqual([]);
    });

    it('the README names every flag', () => {
      const unnamed = options.flatMap((o) => (o.flag && !readme.includes(`--${o.flag}`) && !readme.includes(`--no-${o.flag}`) ? [`--${o.flag}`] : []));
      expect(unnamed).toEqual([]);
    });
  });

  it("every comparison flag of check is a registered option's", () => {
    const taken = new Set(STAGES.flatMap((s) => STAGE_OPTIONS[s].flatMap((o) => (o.flag && o.check.includes('flag') ? [o.flag] : []))));
    const stray = Object.keys(flagsOf(Check)).filter((f) => !taken.has(f) && !BASE_FLAGS.has(f) && !CHECK_ONLY_FLAGS.includes(f));
    expect(stray).toEqual([]);
  });

  it('knows every top-level option of reprodiff.yml', () => {
    const registered = new Set([...NON_OPTION_KEYS, ...STAGES.flatMap((s) => STAGE_OPTIONS[s].flatMap((o) => (o.globalKey ? [o.globalKey] : [])))]);
    const unknown = schemaPaths(schema, registered).filter((p) => !registered.has(p));
    expect(unknown).toEqual([]);
  });

  it('check --ignore-spaces and the other matching flags land in the config in the order --write-config has always written', () => {
    const flags = Object.fromEntries(MATCHING_OPTIONS.map((o) => [o.option, o.type === 'boolean' ? true : 'drop']));
    expect(Object.keys(withSettings(BASE, flags))).toEqual(['research', 'production', 'byPosition', 'ignoreSpaces', 'ignoreCase', 'nullKeys', 'exactStats', 'stages']);
  });
});
