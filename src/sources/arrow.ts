import type { DuckDBAppender } from '@duckdb/node-api';
import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBIntervalValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
} from '@duckdb/node-api';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Engine } from '../engine/engine.js';
import { ident } from '../engine/quote.js';
import { ReprodiffError, firstLine } from '../errors.js';
import type { ArrowInputError, BatchPayload, ColumnPlan, DecodeMessage } from './arrow-decode.js';

export interface ArrowImportOptions {
  /**
   * Longest wait for the decoder to produce its next batch. Default: 4 s plus 50 ms per MB of file,
   * or REPRODIFF_ARROW_TIMEOUT_MS. A corrupt file that makes apache-arrow loop is stopped by it.
   */
  readonly timeoutMs?: number;
  /**
   * The compiled decoder worker. Default: arrow-worker.js beside this module; when it is absent
   * (the TypeScript sources run directly, as under vitest) decoding runs in-process, without a time limit.
   */
  readonly workerUrl?: URL | null;
}

/**
 * Reads an Arrow IPC file (.arrow, .feather v2, .arrow_file) or stream (.arrows, .stream) with
 * apache-arrow into a DuckDB table named `table`, batch by batch through an appender.
 * Decoding runs in a worker thread with a time limit; every failure is one E_FORMAT/E_TIMEOUT line
 * naming the file. The type mapping is documented in arrow-decode.ts.
 */
export async function importArrow(engine: Engine, file: string, table: string, options: ArrowImportOptions = {}): Promise<void> {
  const workerUrl = options.workerUrl === undefined ? defaultWorkerUrl() : options.workerUrl;
  const decoder: Decoder = workerUrl ? new WorkerDecoder(workerUrl, file, options.timeoutMs ?? defaultTimeout(file)) : inProcessDecoder(file);
  let appender: DuckDBAppender | undefined;
  try {
    const first = await decoder.next();
    if (first.type !== 'schema') throw unexpected(first, file);
    const plan = first.columns;
    if (plan.length === 0) throw new ReprodiffError('E_EMPTY', `${file}: the Arrow schema has no columns`, { suggestion: 'check the file' });
    await engine.run(`CREATE TABLE ${ident(table)} (${plan.map((c) => `${ident(c.name)} ${c.sqlType}`).join(', ')})`);
    appender = await engine.rawConnection.createAppender(table);
    const writers = plan.map((c) => writerFor(appender!, c));
    for (;;) {
      const message = await decoder.next();
      if (message.type === 'end') break;
      if (message.type !== 'batch') throw unexpected(message, file);
      appendBatch(appender, writers, message.batch, file);
    }
    appender.flushSync();
  } catch (e) {
    throw asArrowError(e, file);
  } finally {
    try {
      appender?.closeSync();
    } catch {
      // Already reported: the first failure is the one the user needs.
    }
    await decoder.close();
  }
}

/** A decoder failure in words for a user: Node's and JavaScript's internal messages (buffer sizes, stack depth) say only that the file is damaged. */
function decoderMessage(e: unknown): string {
  const line = firstLine(e);
  return /The value of "\w+" is out of range|Invalid array length|Maximum call stack|Cannot read properties of|is not a function|Offset is outside the bounds|out of memory/i.test(line)
    ? 'the file is damaged or truncated (its structure points outside the data)'
    : line;
}

function asArrowError(e: unknown, file: string): ReprodiffError {
  if (e instanceof ReprodiffError) return e;
  if (isArrowInputError(e)) return new ReprodiffError('E_FORMAT', `${file}: ${e.message}`, { suggestion: e.suggestion, cause: e });
  return new ReprodiffError('E_FORMAT', `${file}: cannot read as Arrow: ${decoderMessage(e)}`, {
    suggestion: 'check that the file is a complete Arrow IPC file or stream',
    cause: e,
  });
}

/** By name: arrow-decode (and apache-arrow with it) is loaded only when a file is decoded in this thread. */
function isArrowInputError(e: unknown): e is ArrowInputError {
  return e instanceof Error && e.name === 'ArrowInputError';
}

function unexpected(message: DecodeMessage, file: string): ReprodiffError {
  if (message.type === 'error') {
    return new ReprodiffError(message.code, `${file}: ${message.suggestion ? message.message : `cannot read as Arrow: ${decoderMessage(message.message)}`}`, {
      suggestion: message.suggestion ?? 'check that the file is a complete Arrow IPC file or stream',
    });
  }
  return new ReprodiffError('E_FORMAT', `${file}: cannot read as Arrow: unexpected ${message.type} message`);
}

function defaultTimeout(file: string): number {
  const env = Number(process.env.REPRODIFF_ARROW_TIMEOUT_MS);
  if (Number.isFinite(env) && env > 0) return env;
  return 4_000 + Math.ceil(statSync(file).size / 1e6) * 50;
}

function defaultWorkerUrl(): URL | null {
  const url = new URL('./arrow-worker.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : null;
}

interface Decoder {
  next(): Promise<DecodeMessage>;
  close(): Promise<void>;
}

function inProcessDecoder(file: string): Decoder {
  // Imported here: apache-arrow costs ~20 MB of the process budget, and the worker normally decodes.
  const messages = (async function* () {
    const { decodeArrowFile } = await import('./arrow-decode.js');
    yield* decodeArrowFile(file);
  })();
  return {
    async next() {
      try {
        const r = await messages.next();
        return r.done ? { type: 'end' } : r.value;
      } catch (e) {
        throw asArrowError(e, file);
      }
    },
    async close() {
      await messages.return(undefined);
    },
  };
}

/** Pulls decoded messages from the worker one at a time, each within the time limit. */
class WorkerDecoder implements Decoder {
  private readonly worker: Worker;
  private readonly inbox: DecodeMessage[] = [];
  private failure: ReprodiffError | undefined;
  private waiting: { resolve: (m: DecodeMessage) => void; reject: (e: unknown) => void } | undefined;
  private started = false;
  private finished = false;

  constructor(
    url: URL,
    private readonly file: string,
    private readonly timeoutMs: number,
  ) {
    // The heap cap turns a decoder that a corrupt file makes allocate without end into an error, not a crash.
    this.worker = new Worker(url, { workerData: { file }, resourceLimits: { maxOldGenerationSizeMb: 2048 }, stdout: true, stderr: true });
    this.worker.on('message', (m: DecodeMessage) => this.deliver(m));
    this.worker.on('error', (e) =>
      this.fail(new ReprodiffError('E_FORMAT', `${file}: cannot read as Arrow: ${decoderMessage(e)}`, { suggestion: 'check that the file is a complete Arrow IPC file or stream', cause: e })),
    );
    this.worker.on('exit', (code) => {
      if (!this.finished) this.fail(new ReprodiffError('E_FORMAT', `${file}: the Arrow decoder stopped (exit ${code})`, { suggestion: 'the file is probably corrupt' }));
    });
  }

  async next(): Promise<DecodeMessage> {
    if (this.started) this.worker.postMessage('next');
    this.started = true;
    const queued = this.inbox.shift();
    if (queued) return this.settle(queued);
    if (this.failure) throw this.failure;
    const message = await new Promise<DecodeMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        const seconds = (this.timeoutMs / 1000).toFixed(1);
        this.fail(
          new ReprodiffError('E_TIMEOUT', `${this.file}: the Arrow decoder made no progress within ${seconds}s`, {
            suggestion: 'the file is probably corrupt; set REPRODIFF_ARROW_TIMEOUT_MS to wait longer',
          }),
        );
      }, this.timeoutMs);
      this.waiting = {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
    return this.settle(message);
  }

  private settle(message: DecodeMessage): DecodeMessage {
    if (message.type === 'end' || message.type === 'error') this.finished = true;
    return message;
  }

  private deliver(message: DecodeMessage): void {
    const w = this.waiting;
    this.waiting = undefined;
    if (w) w.resolve(message);
    else this.inbox.push(message);
  }

  private fail(error: ReprodiffError): void {
    if (this.failure) return;
    this.failure = error;
    this.finished = true;
    void this.worker.terminate();
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(error);
  }

  async close(): Promise<void> {
    this.finished = true;
    await this.worker.terminate();
  }
}

type Writer = (values: ArrayLike<unknown>, row: number) => void;

function appendBatch(appender: DuckDBAppender, writers: readonly Writer[], batch: BatchPayload, file: string): void {
  const { rows, columns } = batch;
  if (columns.length !== writers.length) throw new ReprodiffError('E_FORMAT', `${file}: a record batch has ${columns.length} columns, the schema ${writers.length}`);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < writers.length; c++) {
      const col = columns[c]!;
      if (col.valid && col.valid[r] === 0) appender.appendNull();
      else writers[c]!(col.values, r);
    }
    appender.endRow();
  }
}

/** The appender call for one column kind; values come from arrow-decode's payloads. */
function writerFor(a: DuckDBAppender, c: ColumnPlan): Writer {
  switch (c.kind) {
    case 'null':
      return () => a.appendNull();
    case 'int8':
      return (v, i) => a.appendTinyInt(v[i] as number);
    case 'int16':
      return (v, i) => a.appendSmallInt(v[i] as number);
    case 'int32':
      return (v, i) => a.appendInteger(v[i] as number);
    case 'int64':
      return (v, i) => a.appendBigInt(v[i] as bigint);
    case 'uint8':
      return (v, i) => a.appendUTinyInt(v[i] as number);
    case 'uint16':
      return (v, i) => a.appendUSmallInt(v[i] as number);
    case 'uint32':
      return (v, i) => a.appendUInteger(v[i] as number);
    case 'uint64':
      return (v, i) => a.appendUBigInt(v[i] as bigint);
    case 'float':
      return (v, i) => a.appendFloat(v[i] as number);
    case 'double':
      return (v, i) => a.appendDouble(v[i] as number);
    case 'bool':
      return (v, i) => a.appendBoolean(v[i] === 1);
    case 'varchar':
      return (v, i) => a.appendVarchar(v[i] as string);
    case 'blob':
      return (v, i) => a.appendBlob(v[i] as Uint8Array);
    case 'date':
      return (v, i) => a.appendDate(new DuckDBDateValue(v[i] as number));
    case 'timestamp_s':
      return (v, i) => a.appendTimestampSeconds(new DuckDBTimestampSecondsValue(v[i] as bigint));
    case 'timestamp_ms':
      return (v, i) => a.appendTimestampMilliseconds(new DuckDBTimestampMillisecondsValue(v[i] as bigint));
    case 'timestamp_us':
      return (v, i) => a.appendTimestamp(new DuckDBTimestampValue(v[i] as bigint));
    case 'timestamp_ns':
      return (v, i) => a.appendTimestampNanoseconds(new DuckDBTimestampNanosecondsValue(v[i] as bigint));
    case 'timestamptz':
      return (v, i) => a.appendTimestampTZ(new DuckDBTimestampTZValue(v[i] as bigint));
    case 'time':
      return (v, i) => a.appendTime(new DuckDBTimeValue(v[i] as bigint));
    case 'decimal':
      return (v, i) => a.appendDecimal(new DuckDBDecimalValue(v[i] as bigint, c.width!, c.scale!));
    case 'interval':
      return (v, i) => a.appendInterval(new DuckDBIntervalValue(v[3 * i] as number, v[3 * i + 1] as number, BigInt(v[3 * i + 2] as number)));
  }
}
