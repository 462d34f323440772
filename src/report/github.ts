import { appendFileSync, statSync } from 'node:fs';
import type { Report } from '../findings/types.js';
import type { RenderOptions } from './index.js';
import { githubAnnotations, renderMarkdown } from './markdown.js';

/**
 * GitHub Actions integration in one call: appends the Markdown report to the job summary file named by
 * `GITHUB_STEP_SUMMARY` (when set) and returns the annotation lines for the command to print on stdout.
 */
export function publishToGithub(report: Report, env: NodeJS.ProcessEnv = process.env, options: RenderOptions = { verbose: false, color: false }): string {
  const summaryFile = env.GITHUB_STEP_SUMMARY;
  if (summaryFile) {
    let used = 0;
    try {
      used = statSync(summaryFile).size;
    } catch {
      // not there yet: the step's first summary
    }
    appendFileSync(summaryFile, fitSummary(`${renderMarkdown(report, options)}\n`, STEP_SUMMARY_LIMIT - used), 'utf8');
  }
  return githubAnnotations(report);
}

/** GitHub refuses a step summary over 1 MiB (the whole file of the step); the report keeps a margin below it. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024 - 16 * 1024;

/** Markdown cut at a line so it fits in `budget` bytes, with a note saying where the rest is. */
export function fitSummary(markdown: string, budget: number): string {
  if (Buffer.byteLength(markdown) <= budget) return markdown;
  const note = '\n_The report is cut here: a GitHub step summary holds at most 1 MiB. The full report is in --markdown, --html or --output._\n';
  if (budget < Buffer.byteLength(note)) return '';
  const room = budget - Buffer.byteLength(note);
  const lines = markdown.split('\n');
  const close = '</details>\n';
  const kept: string[] = [];
  let size = 0;
  let open = 0;
  for (const line of lines) {
    const depth = open + (line === '<details>' ? 1 : line === '</details>' ? -1 : 0);
    const bytes = Buffer.byteLength(line) + 1;
    // Room for this line and for closing every <details> still open after it (it would swallow the note).
    if (size + bytes + Math.max(0, depth) * close.length > room) break;
    kept.push(line);
    size += bytes;
    open = depth;
  }
  return `${kept.join('\n')}\n${'</details>\n'.repeat(Math.max(0, open))}${note}`;
}
