import { EOL } from 'node:os';
import { configure } from 'safe-stable-stringify';
import { openFileDestination } from './log-file.js';

/**
 * Logging for long-running processes (cohortd, provisioner, the simulator,
 * `cohort` services): one line per event on stderr or appended to a file, as
 * text or JSON. Kept out of the main `@cohort/core` entry point (import
 * `@cohort/core/log`).
 *
 * The lines are the ones winston wrote here before (winston with
 * `format.timestamp()` and either the text `printf` below or `format.json()`,
 * to a Stream transport on stderr or a File transport), byte for byte, with
 * winston's rules for merging a message's meta object and a child's fields.
 * On stderr winston is not loaded: it was 1.1 MB of an idle cohortd's
 * resident memory (docs/performance.md, "Idle RSS"), and stderr lines are
 * written synchronously. A log file is written by winston's File transport
 * (log-file.ts: size-based rotation), loaded only when a file is configured.
 */

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** What a level method accepts: a message and optional fields (`{ source: 'builtin' }`). */
export type LogMethod = (message: string, meta?: object) => Logger;

export interface Logger {
  error: LogMethod;
  warn: LogMethod;
  info: LogMethod;
  debug: LogMethod;
  /** A logger whose lines carry these fields too (`{ ns: 'server:processor' }`). */
  child(fields: Record<string, unknown>): Logger;
}

export interface LogOptions {
  level?: LogLevel;
  /** `text` (human, one line per event) or `json` (one JSON object per line). */
  format?: 'text' | 'json';
  /** Append to this file (its directory is created) instead of writing to stderr. */
  file?: string;
  /** With `file`: rotate when it reaches this many bytes (0 or absent: never). */
  maxSize?: number;
  /** With `file` and `maxSize`: files kept, the live one included (at least 2; default 5). */
  maxFiles?: number;
}

/** The root logger: `close()` resolves once every line logged so far is written (at once on stderr). */
export interface RootLogger extends Logger {
  close(): Promise<void>;
}

// winston's npm levels (the four the config allows).
const severity: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 5 };

type Info = Record<string, unknown>;

/** The text line: `TIMESTAMP LEVEL [ns] message key=json ...`. */
export function textLine(info: Info): string {
  const { level, message, timestamp, ns, ...rest } = info;
  const extra = Object.keys(rest).filter((k) => typeof k === 'string' && !k.startsWith('Symbol'));
  const fields = extra.length ? ' ' + extra.map((k) => `${k}=${JSON.stringify(rest[k])}`).join(' ') : '';
  return `${String(timestamp)} ${String(level).toUpperCase().padEnd(5)} ${ns ? `[${String(ns)}] ` : ''}${String(message)}${fields}`;
}

// winston's format.json(): safe-stable-stringify with its defaults (keys sorted, circular references as "[Circular]"), BigInt as a string.
const stableStringify = configure({});
const bigintAsString = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

/** The JSON line: every field, keys sorted. */
export function jsonLine(info: Info): string {
  return stableStringify(info, bigintAsString) as string;
}

// winston's printf-style token test: a message containing one of these loses its meta object (winston interpolates only with format.splat()).
const formatToken = /%[scdjifoO%]/g;

/**
 * The event winston made of `logger[level](...args)`: the meta's fields,
 * then `level` and `message` (a meta `message` is appended to the message; a
 * meta `stack` or `cause` is copied even when not enumerable).
 */
export function eventOf(level: LogLevel, args: unknown[]): Info {
  if (args.length === 0) return { level, message: '' };
  const [message, meta] = args;
  if (args.length === 1) {
    const m = message as { message?: unknown } | undefined;
    if (m && m.message) {
      const info = m as Info;
      info.level = level;
      return info;
    }
    return { message, level };
  }
  if (typeof meta === 'object' && meta !== null && !(typeof message === 'string' && message.match(formatToken))) {
    const m = meta as Info;
    const info: Info = Object.assign({}, m, { level, message });
    if (m.message) info.message = `${String(info.message)} ${String(m.message)}`;
    if (m.stack) info.stack = m.stack;
    if (m.cause) info.cause = m.cause;
    return info;
  }
  return { level, message };
}

type Sink = (info: Info) => void;

class LineLogger implements Logger {
  readonly #sink: Sink;
  readonly #threshold: number;

  constructor(sink: Sink, threshold: number) {
    this.#sink = sink;
    this.#threshold = threshold;
  }

  #log(level: LogLevel, args: unknown[]): Logger {
    if (severity[level] <= this.#threshold) this.#sink(eventOf(level, args));
    return this;
  }

  // Own properties, not prototype methods: a detached `log.warn` still works, as winston's did.
  error: LogMethod = (...args) => this.#log('error', args);
  warn: LogMethod = (...args) => this.#log('warn', args);
  info: LogMethod = (...args) => this.#log('info', args);
  debug: LogMethod = (...args) => this.#log('debug', args);

  child(fields: Record<string, unknown>): Logger {
    const parent = this.#sink;
    // winston's child: its fields first, the event's after (and winning).
    return new LineLogger((info) => {
      const clone: Info = Object.assign({}, fields, info);
      if (info instanceof Error) {
        clone.stack = info.stack;
        clone.message = info.message;
        clone.cause = info.cause;
      }
      parent(clone);
    }, this.#threshold);
  }
}

/** Create the root logger. Use `logger.child({ ns: 'server:processor' })` for namespaced children. */
export function createLogger(options: LogOptions = {}): RootLogger {
  const line = options.format === 'json' ? jsonLine : textLine;
  const stamp = (info: Info): Info => {
    if (!info.timestamp) info.timestamp = new Date().toISOString();
    return info;
  };
  if (options.file) {
    // winston's File transport adds the end of line (EOL, as on stderr).
    const dest = openFileDestination(options.file, { maxSize: options.maxSize ?? 0, maxFiles: options.maxFiles ?? 5 });
    return Object.assign(new LineLogger((info) => dest.write(line(stamp(info))), severity[options.level ?? 'info']), { close: dest.close });
  }
  return Object.assign(new LineLogger((info) => void process.stderr.write(`${line(stamp(info))}${EOL}`), severity[options.level ?? 'info']), { close: () => Promise.resolve() });
}

/** A logger that discards everything (tests, library users who pass none). */
export function silentLogger(): Logger {
  const silent: Logger = {
    error: () => silent,
    warn: () => silent,
    info: () => silent,
    debug: () => silent,
    child: () => silent,
  };
  return silent;
}
