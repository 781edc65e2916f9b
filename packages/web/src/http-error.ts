import { errorMessage, type Ddl } from '@cohort/core';
import { parseCount, type Count, type DdlSource } from '@cohort/client';

/** An HTTP error with the JSON body of WEB-API.md. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly field?: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

/** A string field of a request body (400 naming `field` when it is missing or not a string). */
export function str(v: unknown, field: string, optional = false): string | undefined {
  if (v === undefined || v === null) {
    if (optional) return undefined;
    throw new HttpError(400, `'${field}' is missing`, field);
  }
  if (typeof v !== 'string') throw new HttpError(400, `'${field}' must be a string`, field);
  return v;
}

/** A count field (`batch`, `limit`): a number of nodes or a percentage; absent or empty is undefined. */
export function countArg(v: unknown, field: string): Count | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'number' && typeof v !== 'string') throw new HttpError(400, `'${field}' must be a number of nodes or a percentage like 25%`, field);
  try {
    parseCount(v, field);
  } catch (err) {
    throw new HttpError(400, errorMessage(err), field);
  }
  return v;
}

/** The DDL of `agent`, or a 404 on the `agent` field. */
export function ddlOf(ddl: DdlSource, agent: string): Ddl {
  try {
    return ddl.get(agent);
  } catch (err) {
    throw new HttpError(404, errorMessage(err), 'agent');
  }
}
