import type { LogLevel } from '../../log.js';
import { item } from '../spec.js';

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
} as const;
