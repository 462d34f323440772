import type { Report } from '../findings/types.js';
import type { RenderOptions } from './index.js';

/** Html rendering of a report (in progress: a helper is writing the real renderer). */
export function renderHtml(report: Report, _options: RenderOptions): string {
  return JSON.stringify(report);
}
