import type { Report } from '../findings/types.js';
import type { RenderOptions } from './index.js';

/** Junit rendering of a report (in progress: a helper is writing the real renderer). */
export function renderJunit(report: Report, _options: RenderOptions): string {
  return JSON.stringify(report);
}
