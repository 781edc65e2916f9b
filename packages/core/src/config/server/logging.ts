import type { LogLevel } from '../../log.js';
import { item } from '../spec.js';
import { sizeBytes } from '../units.js';

/** `logging.max_size` in bytes: a size (`10MiB`, `10MB`, `1048576`, at least 1 KiB) or 0 (never rotate). */
export function logMaxSizeBytes(value: number | string): number | undefined {
  return value === 0 || value === '0' ? 0 : sizeBytes(value);
}

/** `logging:` section of the server configuration. */
export const loggingSection = {
  level: item<LogLevel>({
    default: 'info',
    doc: 'least severe level written: error, warn, info or debug',
    schema: { enum: ['error', 'warn', 'info', 'debug'] },
    expect: 'one of error, warn, info, debug',
    env: 'COHORT_LOG_LEVEL',
    flag: '--log-level',
  }),
  format: item<'text' | 'json'>({
    default: 'text',
    doc: 'text (one readable line per event) or json (one object per line)',
    schema: { enum: ['text', 'json'] },
    expect: "'text' or 'json'",
    flag: '--log-format',
  }),
  file: item<string | null>({
    default: null,
    doc: 'write the log to this file instead of stderr',
    schema: { type: ['string', 'null'], minLength: 1 },
    expect: 'a file path',
    flag: '--log-file',
    path: true,
  }),
  // Size-based rotation of `file` (winston's File transport, tailable: the live file keeps its name; docs/operations.md, "Logging").
  max_size: item<number | string>({
    default: '20MiB',
    doc: 'with file: rotate it when it reaches this size (bytes or e.g. 512KiB, 10MB, 20MiB; at least 1 KiB); 0: never (rotate it externally, with copytruncate)',
    schema: { type: ['integer', 'string'], minimum: 0, minLength: 1 },
    expect: 'a size: bytes or e.g. 512KiB, 10MB, 20MiB, or 0',
    check: (v) => (logMaxSizeBytes(v) === undefined ? `must be a size: bytes or e.g. 512KiB, 10MB, 20MiB (at least 1 KiB), or 0 to never rotate (got ${JSON.stringify(v)})` : undefined),
  }),
  max_files: item<number>({
    default: 5,
    doc: 'with file and max_size: files kept, the live one included (cohortd.log, cohortd1.log, ...); the oldest is deleted on rotation',
    schema: { type: 'integer', minimum: 2, maximum: 1000 },
    expect: 'an integer from 2 to 1000 (the live file and at least one archive)',
  }),
} as const;
