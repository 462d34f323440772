import { shown } from '../text/escape.js';
import { writeRaw } from './output-guard.js';

/** Progress for long work: on stderr, only when stderr is a terminal, silent otherwise. */
export interface ProgressSink {
  /** The step the run is at (shown until the next one). */
  step(message: string): void;
  /** How far the current step's query is: rows read of rows to read (DuckDB's progress), absent when silent. */
  readonly rows?: (done: number, total: number) => void;
  done(): void;
}

export const silentProgress: ProgressSink = { step() {}, done() {} };

/** Progress on a terminal's stderr: one line, rewritten in place, cleared before the report is printed. */
export function stderrProgress(stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): ProgressSink {
  if (!stream.isTTY) return silentProgress;
  let visibleLine = false;
  let current = '';
  const started = now();
  const show = (text: string) => {
    const seconds = ((now() - started) / 1000).toFixed(1);
    writeRaw(stream, `\r\u001b[2K… ${text} (${seconds}s)`);
    visibleLine = true;
  };
  return {
    step(message) {
      current = shown(message, 160);
      show(current);
    },
    rows(done, total) {
      const percent = Math.min(100, Math.floor((100 * done) / Math.max(1, total)));
      show(`${current}: ${percent}%, ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows read`);
    },
    done() {
      if (visibleLine) writeRaw(stream, '\r\u001b[2K');
      visibleLine = false;
    },
  };
}
