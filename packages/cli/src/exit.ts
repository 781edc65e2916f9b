import type { RpcStats } from '@cohort/client';

/**
 * The CLI's single exit path: every outcome and every error maps to one of
 * these codes here, and nowhere else.
 */
export const ExitCode = {
  /** Every addressed node replied with status 0. */
  OK: 0,
  /** Some reply failed or some node did not reply. */
  Failed: 1,
  /** Bad usage or invalid input: nothing was sent. */
  Usage: 2,
  /** Discovery found no node. */
  NoNodes: 3,
  /** NATS could not be reached. */
  Unreachable: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** How a command finished (errors are thrown instead). */
export type Outcome =
  | { kind: 'done' }
  /** An RPC-like command: the code follows from its stats. */
  | { kind: 'rpc'; stats: Pick<RpcStats, 'discovered' | 'responded' | 'failed'> }
  /** Discovery-like command: how many nodes answered. */
  | { kind: 'found'; count: number }
  /** A Nagios-style check (cohort registry check): the state is the exit code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). */
  | { kind: 'nagios'; state: 0 | 1 | 2 | 3 };

/** 0 when everyone addressed replied OK, 3 when nobody was addressed, else 1. */
export function exitCodeForStats(stats: Pick<RpcStats, 'discovered' | 'responded' | 'failed'>): ExitCode {
  if (stats.discovered === 0) return ExitCode.NoNodes;
  if (stats.failed > 0 || stats.responded < stats.discovered) return ExitCode.Failed;
  return ExitCode.OK;
}

export function exitCodeForOutcome(outcome: Outcome | undefined): ExitCode {
  if (!outcome) return ExitCode.OK;
  switch (outcome.kind) {
    case 'done':
      return ExitCode.OK;
    case 'rpc':
      return exitCodeForStats(outcome.stats);
    case 'found':
      return outcome.count > 0 ? ExitCode.OK : ExitCode.NoNodes;
    case 'nagios':
      return outcome.state;
  }
}

/** Error codes (CohortError.code) that mean "bad usage or input, nothing sent" (SECURITY: an unusable key or certificate). */
const usageCodes = new Set(['USAGE', 'CONFIG', 'FILTER_SYNTAX', 'DDL', 'MISSING_INPUT', 'INVALID_INPUT', 'SECURITY']);

/** The exit code for a thrown error: by its stable `code`, 1 for anything unexpected. */
export function exitCodeForError(err: unknown): ExitCode {
  const code = errorCode(err);
  if (code === 'CONNECTION') return ExitCode.Unreachable;
  if (code === 'NO_NODES' || code === 'NOT_FOUND') return ExitCode.NoNodes;
  if (code !== undefined && usageCodes.has(code)) return ExitCode.Usage;
  return ExitCode.Failed;
}

/** The stable `code` of a Cohort error, if it is one. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** What to print on stderr for an error: its message, plus a pointer or a hint where that helps. */
export function errorReport(err: unknown, options: { debug?: boolean } = {}): string {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'NO_NODES':
      return message;
    case 'FILTER_SYNTAX': {
      const pointer = (err as { pointer?: unknown }).pointer;
      const shown = typeof pointer === 'function' ? `\n${String(pointer.call(err))}` : '';
      return `cohort: invalid filter: ${message}${shown}`;
    }
    case 'CONNECTION':
      return (
        `cohort: ${message}\n` +
        'Start nats-server (e.g. `nats-server -a 127.0.0.1`), or point cohort at a running one with ' +
        '--nats nats://HOST:PORT, the COHORT_NATS variable or nats.servers in the client config.'
      );
    default:
      if (code === undefined && options.debug && err instanceof Error && err.stack) return `cohort: ${err.stack}`;
      return `cohort: ${message}`;
  }
}

/**
 * A command-line parse failure reported by yargs (unknown flag, missing
 * argument). Carries the same `USAGE` code as core's UsageError; it lives here
 * so that parsing never has to load `@cohort/core`.
 */
export class ParseError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'ParseError';
  }
}
