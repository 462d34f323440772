/**
 * User mistakes: a small family of typed errors with a stable code and a suggested fix.
 * `src/` throws them; the command layer prints them as one line and exits 2.
 * Anything that is not a ReprodiffError is a bug and keeps its stack (with REPRODIFF_DEBUG=1).
 */
export type ErrorCode =
  | 'E_FILE_NOT_FOUND'
  | 'E_FORMAT'
  | 'E_EMPTY'
  | 'E_KEY_UNKNOWN'
  | 'E_KEY_TYPES'
  | 'E_KEY_NULL'
  | 'E_COLUMN_UNKNOWN'
  | 'E_CONFIG'
  | 'E_USAGE'
  | 'E_MEMORY'
  | 'E_DISK'
  | 'E_TIMEOUT'
  | 'E_PYTHON'
  | 'E_SNAPSHOT'
  | 'E_DATABASE'
  | 'E_INTERRUPTED';

export class ReprodiffError extends Error {
  readonly code: ErrorCode;
  readonly suggestion: string | undefined;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: { suggestion?: string; cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ReprodiffError';
    this.code = code;
    this.suggestion = options.suggestion;
    this.exitCode = options.exitCode ?? 2;
  }

  /** One line: the message and, when known, the fix. */
  oneLine(): string {
    const text = this.suggestion ? `${this.message} (${this.suggestion})` : this.message;
    return text.replace(/\s*\n\s*/g, ' ');
  }
}

export function isReprodiffError(e: unknown): e is ReprodiffError {
  return e instanceof ReprodiffError;
}

/** First line of an engine error message, without DuckDB's "LINE 1:" context. */
export function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]!.trim();
}
