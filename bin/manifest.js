#!/usr/bin/env node
// Writes oclif.manifest.json (run by `npm run build`). Without it oclif imports every command module to list
// the commands, so `reprodiff data` would load check's, env's and the reports' dependencies too (~20 MB of
// the process's --memory-limit budget). The file is generated, never edited, and git-ignored.
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config } from '@oclif/core';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// Config.load reads an existing manifest even with ignoreManifest: a stale one would be written back unchanged.
rmSync(join(root, 'oclif.manifest.json'), { force: true });
const config = await Config.load({ root, ignoreManifest: true });
const manifest = config.rootPlugin.manifest;
if (Object.keys(manifest.commands).length === 0) throw new Error('no commands found: build first');
writeFileSync(join(root, 'oclif.manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
