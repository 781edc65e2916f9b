import winston from 'winston';

/**
 * winston logging for long-running processes (cohortd, provisioner). Kept out
 * of the main `@cohort/core` entry point (import `@cohort/core/log`) so short
 * CLI commands never load winston.
 */

export type Logger = winston.Logger;
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface LogOptions {
  level?: LogLevel;
  /** `text` (human, one line per event) or `json` (one JSON object per line). */
  format?: 'text' | 'json';
  /** Write to this file instead of stderr. */
  file?: string;
}

const textFormat = winston.format.printf((info) => {
  const { level, message, timestamp, ns, ...rest } = info as Record<string, unknown>;
  const extra = Object.keys(rest).filter((k) => typeof k === 'string' && !k.startsWith('Symbol'));
  const fields = extra.length ? ' ' + extra.map((k) => `${k}=${JSON.stringify(rest[k])}`).join(' ') : '';
  return `${String(timestamp)} ${String(level).toUpperCase().padEnd(5)} ${ns ? `[${String(ns)}] ` : ''}${String(message)}${fields}`;
});

/** Create the root logger. Use `logger.child({ ns: 'server:processor' })` for namespaced children. */
export function createLogger(options: LogOptions = {}): Logger {
  const format =
    options.format === 'json'
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.combine(winston.format.timestamp(), textFormat);
  const transport = options.file
    ? new winston.transports.File({ filename: options.file })
    : new winston.transports.Stream({ stream: process.stderr });
  return winston.createLogger({ level: options.level ?? 'info', format, transports: [transport] });
}

/** A logger that discards everything (tests, library users who pass none). */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}
