/** Progress for long work: on stderr, only when stderr is a terminal, silent otherwise. */
export interface ProgressSink {
  step(message: string): void;
  done(): void;
}

export const silentProgress: ProgressSink = { step() {}, done() {} };

export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  if (!stream.isTTY) return silentProgress;
  let shown = false;
  const started = Date.now();
  return {
    step(message) {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      stream.write(`\r\u001b[2K… ${message} (${seconds}s)`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\u001b[2K');
      shown = false;
    },
  };
}
