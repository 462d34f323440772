import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';

const root = new URL('../../schemas/', import.meta.url);

/** The committed JSON Schemas, parsed. */
export const reportSchema = JSON.parse(readFileSync(new URL('report.schema.json', root), 'utf8')) as Record<string, unknown>;
export const errorSchema = JSON.parse(readFileSync(new URL('error.schema.json', root), 'utf8')) as Record<string, unknown>;

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validateReport = ajv.compile(reportSchema);
const validateError = ajv.compile(errorSchema);

function describe(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `  ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}

function check(validate: ValidateFunction, json: unknown, what: string): void {
  if (!validate(json)) throw new Error(`${what} does not match its JSON Schema:\n${describe(validate.errors)}`);
}

/** Throws, listing every schema error, unless `json` is a valid report document (pass a parsed object or the JSON text). */
export function assertValidReport(json: unknown): void {
  check(validateReport, typeof json === 'string' ? JSON.parse(json) : json, 'report');
}

/** Throws unless `json` is a valid `--json` error document `{ "error": { "code", "message" } }`. */
export function assertValidError(json: unknown): void {
  check(validateError, typeof json === 'string' ? JSON.parse(json) : json, 'error document');
}
