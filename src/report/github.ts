import { appendFileSync } from 'node:fs';
import type { Report } from '../findings/types.js';
import type { RenderOptions } from './index.js';
import { githubAnnotations, renderMarkdown } from './markdown.js';

/**
 * GitHub Actions integration in one call: appends the Markdown report to the job summary file named by
 * `GITHUB_STEP_SUMMARY` (when set) and returns the annotation lines for the command to print on stdout.
 */
export function publishToGithub(
  report: Report,
  env: NodeJS.ProcessEnv = process.env,
  options: RenderOptions = { verbose: false, color: false },
): string {
  const summaryFile = env.GITHUB_STEP_SUMMARY;
  if (summaryFile) appendFileSync(summaryFile, `${renderMarkdown(report, options)}\n`, 'utf8');
  return githubAnnotations(report);
}
