import type { Report } from '../findings/types.js';

/** The versioned JSON document, two-space indented, newline-terminated: byte-identical for the same report. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
