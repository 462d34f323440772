/**
 * Worker entry of the Arrow decoder (see arrow.ts): decodes the file named in workerData and posts
 * one message per batch, waiting for the parent's "next" before decoding the next batch, so that
 * at most one batch is in flight (bounded memory) and the parent can time each step.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ArrowInputError, decodeArrowFile, transferables } from './arrow-decode.js';
import type { DecodeMessage } from './arrow-decode.js';

const port = parentPort;
if (port) void main(port, (workerData as { file: string }).file);

async function main(out: NonNullable<typeof parentPort>, file: string): Promise<void> {
  const waitForNext = () => new Promise<void>((resolve) => out.once('message', () => resolve()));
  try {
    for await (const message of decodeArrowFile(file)) {
      out.postMessage(message, message.type === 'batch' ? transferables(message.batch) : []);
      if (message.type !== 'end') await waitForNext();
    }
  } catch (e) {
    out.postMessage(errorMessage(e));
  }
}

function errorMessage(e: unknown): DecodeMessage {
  const text = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();
  return { type: 'error', code: 'E_FORMAT', message: text || 'unreadable Arrow data', suggestion: e instanceof ArrowInputError ? e.suggestion : undefined };
}
