/** The low-severity batch: flags and config values that were accepted silently or failed as internal errors. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleSpillDirs, translateEngineError } from '../../src/engine/engine.js';
import type { ReprodiffError } from '../../src/errors.js';
import { STEP_SUMMARY_LIMIT, fitSummary } from '../../src/report/github.js';
import { runCli, runJson } from '../helpers/cli.js';
import { tempDir } from './helpers.js';

const dir = tempDir('usage');
writeFileSync(join(dir, 'a.csv'), 'id,x\n1,2\n2,3\n');
writeFileSync(join(dir, 'b.csv'), 'id,x\n1,2\n2,4\n');

async function usage(args: string[], pattern: RegExp, code = 'E_USAGE'): Promise<void> {
  const r = await runCli(args, { cwd: dir });
  expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(`${code}:`);
  expect(r.stderr).toMatch(pattern);
}

describe('flags', () => {
  it('--memory-limit must be a positive size', async () => {
    for (const bad of ['-5GB', '', 'abc', '10%', '0']) await usage(['data', 'a.csv', 'b.csv', '--memory-limit', bad], /--memory-limit must be a size/);
    expect((await runCli(['data', 'a.csv', 'b.csv', '--memory-limit', '512MB'], { cwd: dir })).code).toBe(1);
  });

  it('--temp-dir that is missing, a file, or read-only is a usage error', async () => {
    await usage(['data', 'a.csv', 'b.csv', '--temp-dir', 'nope'], /--temp-dir nope: no such folder/);
    await usage(['data', 'a.csv', 'b.csv', '--temp-dir', 'a.csv'], /is not a folder/);
    if (process.getuid?.() !== 0) {
      mkdirSync(join(dir, 'ro'), { mode: 0o555 });
      await usage(['data', 'a.csv', 'b.csv', '--temp-dir', 'ro'], /cannot create a temporary folder/);
    }
  });

  it('tolerances must be numbers ≥ 0, said with what was given', async () => {
    await usage(['data', 'a.csv', 'b.csv', '--rel-tol', 'NaN'], /--rel-tol must be a number ≥ 0, got 'NaN'/);
    await usage(['data', 'a.csv', 'b.csv', '--abs-tol', ''], /--abs-tol must be a number/);
    await usage(['data', 'a.csv', 'b.csv', '--abs-tol', 'Infinity'], /--abs-tol must be a number/);
  });

  it('an empty key is refused (it fell back to keyless silently), and so is --map a=b=c', async () => {
    await usage(['data', 'a.csv', 'b.csv', '--key', ''], /--key '' names an empty column/);
    await usage(['data', 'a.csv', 'b.csv', '--key', ','], /empty column/);
    await usage(['data', 'a.csv', 'b.csv', '--key', 'id,'], /empty column/);
    await usage(['data', 'a.csv', 'b.csv', '--map', 'a=b=c'], /bad --map 'a=b=c'/);
  });

  it('--ignore and --map must name columns that exist (a typo changed nothing, silently)', async () => {
    await usage(['data', 'a.csv', 'b.csv', '--ignore', 'nosuchcol'], /--ignore names column 'nosuchcol', which is not in either input/, 'E_COLUMN_UNKNOWN');
    await usage(['features', 'a.csv', 'b.csv', '--map', 'q=x'], /--map q=x names column 'q', which is not in research/, 'E_COLUMN_UNKNOWN');
    await usage(['data', 'a.csv', 'b.csv', '--map', 'x=q'], /not in production/, 'E_COLUMN_UNKNOWN');
    expect((await runCli(['data', 'a.csv', 'b.csv', '--ignore', 'x'], { cwd: dir })).code).toBe(0);
  });
});

describe('config values', () => {
  it('YAML tags are refused with their line', async () => {
    for (const tagged of ['!!js/function "function () { return 1 }"', '!!python/object/apply:os.system ["id"]', '!evil 1']) {
      writeFileSync(join(dir, 'tagged.yml'), `research:\n  data: a.csv\nproduction:\n  data: b.csv\nkey: ${tagged}\n`);
      await usage(['check', 'tagged.yml'], /line 5 YAML tag .* is not allowed/, 'E_CONFIG');
    }
  });

  it('an infinite or NaN tolerance is a config error, not an internal one', async () => {
    for (const v of ['.inf', '.nan', '.Inf']) {
      writeFileSync(join(dir, 'inf.yml'), `research:\n  data: a.csv\nproduction:\n  data: b.csv\ntolerance:\n  abs: ${v}\n`);
      await usage(['check', 'inf.yml'], /tolerance\.abs: must be/, 'E_CONFIG');
    }
  });
});

describe('temporary folders', () => {
  it('spill folders of dead processes are removed at start; live ones and others are kept', async () => {
    const parent = join(dir, 'tmp');
    mkdirSync(parent);
    // A process that has exited: its pid is free (reuse within the test is next to impossible).
    const deadPid = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']));
    for (const name of [`reprodiff-${deadPid}-abc123`, `reprodiff-${process.pid}-live01`, 'reprodiff-other', 'unrelated']) mkdirSync(join(parent, name));
    writeFileSync(join(parent, `reprodiff-${deadPid}-abc123`, 'spill.tmp'), 'x');
    const r = await runCli(['data', 'a.csv', 'b.csv', '--temp-dir', parent], { cwd: dir });
    expect(r.code).toBe(1);
    expect(readdirSync(parent).sort()).toEqual([`reprodiff-${process.pid}-live01`, 'reprodiff-other', 'unrelated']);
    expect(removeStaleSpillDirs(parent, () => false)).toBe(0); // our own pid's folder is never removed
  });

  it('a full spill disk is E_DISK, not E_MEMORY', () => {
    const e = translateEngineError(
      new Error("Out of Memory Error: failed to offload data block of size 256.0 KiB (4.9 MiB/5.0 MiB used).\nThis limit was set by the 'max_temp_directory_size' setting."),
    );
    expect((e as ReprodiffError).code).toBe('E_DISK');
    expect((translateEngineError(new Error('Out of Memory Error: could not allocate block of size 256.0 KiB')) as ReprodiffError).code).toBe('E_MEMORY');
  });
});

describe('one symlink rule for folders', () => {
  const outside = join(dir, 'outside.csv');
  writeFileSync(outside, 'id,x\n1,2\n2,3\n');

  it('data folders: a link inside the folder is read, a link outside is refused', async () => {
    for (const side of ['r', 'p']) mkdirSync(join(dir, `data-${side}`));
    writeFileSync(join(dir, 'data-r', 'part-0.csv'), 'id,x\n1,2\n');
    writeFileSync(join(dir, 'data-p', 'part-0.csv'), 'id,x\n1,2\n');
    writeFileSync(join(dir, 'data-r', 'real-1.csv'), 'id,x\n2,3\n');
    symlinkSync('real-1.csv', join(dir, 'data-r', 'part-1.csv'));
    writeFileSync(join(dir, 'data-p', 'part-1.csv'), 'id,x\n2,3\n');
    writeFileSync(join(dir, 'data-p', 'real-1.csv'), 'id,x\n2,3\n');
    // Inside: followed (so both sides have the rows of part-1 twice, as real-1 is read too).
    const inside = await runJson(['data', 'data-r', 'data-p'], { cwd: dir });
    expect(inside.code, inside.stderr).toBe(0);
    symlinkSync(outside, join(dir, 'data-p', 'part-2.csv'));
    await usage(['data', 'data-r', 'data-p'], /part-2\.csv is a symbolic link to .*outside the folder/);
  });

  it('check folders follow the same rule', async () => {
    for (const side of ['research', 'production']) mkdirSync(join(dir, `check-${side}`));
    writeFileSync(join(dir, 'check-research', 'raw.csv'), 'id,x\n1,2\n');
    symlinkSync(outside, join(dir, 'check-production', 'raw.csv'));
    await usage(['check', 'check-research', 'check-production'], /raw\.csv is a symbolic link to .*outside the folder/);
  });
});

describe('sizes', () => {
  it('a 1 MB column name is cut in every human report, and the step summary stays under 1 MiB', async () => {
    const name = `c${'x'.repeat(1_000_000)}`;
    for (const f of ['big-a.csv', 'big-b.csv']) mkdirSync(join(dir, f.replace('.csv', '')), { recursive: true });
    writeFileSync(join(dir, 'big-a', 'raw.csv'), `id,${name}\n1,1\n2,2\n`);
    writeFileSync(join(dir, 'big-b', 'raw.csv'), `id,${name}\n1,1\n2,3\n`);
    const summary = join(dir, 'summary.md');
    const r = await runCli(['check', 'big-a', 'big-b', '--key', 'id', '--html', 'big.html', '--markdown', 'big.md', '--junit', 'big.xml'], {
      cwd: dir,
      env: { GITHUB_STEP_SUMMARY: summary },
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout.length).toBeLessThan(50_000);
    for (const f of ['big.html', 'big.md', 'big.xml']) expect(statSync(join(dir, f)).size, f).toBeLessThan(300_000);
    expect(statSync(summary).size).toBeLessThan(1024 * 1024);
    expect(readFileSync(join(dir, 'big.md'), 'utf8')).toContain('…');
  });

  it('fitSummary cuts at a line, closes an open <details> and says so', () => {
    const md = ['# report', '<details>', ...Array.from({ length: 50_000 }, (_, i) => `| row ${i} | ${'v'.repeat(40)} |`), '</details>', ''].join('\n');
    const cut = fitSummary(md, STEP_SUMMARY_LIMIT);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT);
    expect(cut).toMatch(/<\/details>\n\n_The report is cut here/);
    expect(fitSummary('short\n', 100)).toBe('short\n');
    expect(fitSummary(md, 10)).toBe('');
  });
});
