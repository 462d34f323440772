/**
 * What reprodiff needs to know about a database engine's SQL, so that the next engine (Trino, Snowflake,
 * BigQuery, ClickHouse…) is one module: quoting, the remote type → local DuckDB type mapping, and the
 * expressions the pushed-down keyed diff is built from. Every identifier and literal goes through
 * `ident`/`literal`; the pushdown builders never concatenate user text otherwise.
 */
export interface RemoteColumn {
  readonly name: string;
  /** The engine's own spelling of the type, e.g. `numeric(12,2)`, `timestamp with time zone`. */
  readonly type: string;
  /** The base type's short name (domains resolved), e.g. `numeric`, `timestamptz`, `_int4` for arrays. */
  readonly base: string;
  /** Type modifier (precision/scale of numerics), -1 when none. */
  readonly typmod: number;
  /** Enum, array, composite…: the engine's type category. */
  readonly category: string;
}

export interface SqlDialect {
  readonly name: string;
  ident(name: string): string;
  literal(value: string): string;
  /**
   * The DuckDB type a remote column is read into, or null when reprodiff cannot compare it (the caller
   * refuses it with a one-line error naming a cast).
   */
  localType(column: RemoteColumn): string | null;
  /** The remote type a DuckDB comparison type (ColumnPair.compareType) is cast to for a pushed-down comparison. */
  remoteCompareType(duckdbType: string): string | null;
  /** The expression of a column as streamed out for the local engine (text the DuckDB CSV reader parses back exactly). */
  exportExpr(column: RemoteColumn): string;
  /** SQL fragments of the pushed-down diff. */
  readonly sql: {
    toDouble(x: string): string;
    /** Text that compares (equality and order) by its bytes, as DuckDB compares VARCHAR. */
    asBytes(x: string): string;
  };
}
