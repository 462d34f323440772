import type { Report } from '../findings/types.js';
import { renderJson } from './json.js';
import { renderTerminal } from './terminal.js';
import { renderMarkdown } from './markdown.js';
import { renderJunit } from './junit.js';
import { renderHtml } from './html.js';

export interface RenderOptions {
  /** Every finding, not only the first broken stage's. */
  readonly verbose: boolean;
  /** Force colour on or off; undefined follows the terminal (chalk's detection, NO_COLOR, FORCE_COLOR). */
  readonly color: boolean | undefined;
}

export type Format = 'json' | 'terminal' | 'markdown' | 'junit' | 'html';

/** Renderers are pure functions of the report: every format is made from the same JSON document. */
export const renderers: Record<Format, (report: Report, options: RenderOptions) => string> = {
  json: renderJson,
  terminal: renderTerminal,
  markdown: renderMarkdown,
  junit: renderJunit,
  html: renderHtml,
};

export function renderReport(format: Format, report: Report, options: RenderOptions): string {
  return renderers[format](report, options);
}
