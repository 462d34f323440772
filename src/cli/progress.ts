import { shown } from '../text/escape.js';
import { writeRaw } from './output-guard.js';

/** Progress for long work: on stderr, only when stderr is a terminal, silent otherwise. */
export interface ProgressSink {
  step(message: string): void;
  done(): void;
}

export const silentProgress: ProgressSink = { step() {}, done() {} };

export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  if (!stream.isTTY) return silentProgress;
  let visibleLine = false;
  const started = Date.now();
  return {
    step(message) {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      writeRaw(stream, `\r\u001b[2K… ${shown(message, 200)} (${seconds}s)`);
      visibleLine = true;
    },
    done() {
      if (visibleLine) writeRaw(stream, '\r\u001b[2K');
      visibleLine = false;
    },
  };
}
