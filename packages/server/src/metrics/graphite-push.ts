/**
 * The Graphite push: collector metrics and checks' perfdata sent to carbon
 * with the plaintext protocol (`<path> <value> <unix seconds>\n`) every
 * metrics.graphite.interval seconds. While carbon is unreachable, lines wait
 * in a bounded buffer (metrics.graphite.buffer; the oldest are dropped and
 * counted) and the connection is retried with exponential backoff.
 */
import { connect, type Socket } from 'node:net';
import { errorMessage } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import type { Sample } from './collectors/index.js';
import type { CheckMetrics } from './check-states.js';
import { exitCodeOfState } from '@cohort/core';

/** One path element: letters, digits, _ and - only (dots would add levels, spaces would break the line). */
export function graphiteSegment(text: string): string {
  const s = text.replace(/[^A-Za-z0-9_-]+/g, '_');
  return s === '' || s === '_' ? '_' : s;
}

/** A mount point as one path element: `/` -> `root`, `/var/log` -> `var_log`. */
export function mountSegment(mount: string): string {
  const trimmed = mount.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? 'root' : graphiteSegment(trimmed);
}

/** `<prefix>.<identity>.<group>[.<object>].<metric>` for a collector sample. */
export function samplePath(prefix: string, identity: string, s: Sample): string {
  const object = s.object === undefined ? [] : [s.group === 'disk' ? mountSegment(s.object) : graphiteSegment(s.object)];
  return [prefix, graphiteSegment(identity), graphiteSegment(s.group), ...object, graphiteSegment(s.metric)].join('.');
}

/** One plaintext line; undefined for values Graphite cannot store (NaN, infinities). */
export function graphiteLine(path: string, value: number, unixSeconds: number): string | undefined {
  return Number.isFinite(value) ? `${path} ${value} ${Math.floor(unixSeconds)}\n` : undefined;
}

/** Every line of one push: collector samples, then per check its state code and perfdata. */
export function pushLines(prefix: string, identity: string, samples: readonly Sample[], checks: Iterable<CheckMetrics>, unixSeconds: number): string[] {
  const lines: string[] = [];
  const add = (line: string | undefined) => line !== undefined && lines.push(line);
  for (const s of samples) add(graphiteLine(samplePath(prefix, identity, s), s.value, unixSeconds));
  const base = `${prefix}.${graphiteSegment(identity)}.checks`;
  for (const c of checks) {
    const check = graphiteSegment(c.check);
    add(graphiteLine(`${base}.${check}.state`, exitCodeOfState(c.state), unixSeconds));
    for (const p of c.perfdata) add(graphiteLine(`${base}.${check}.${graphiteSegment(p.label)}`, p.value, unixSeconds));
  }
  return lines;
}

export interface CarbonOptions {
  readonly host: string;
  readonly port: number;
  /** Lines kept while disconnected. */
  readonly maxBuffer: number;
  readonly log: Logger;
  /** Reconnect backoff bounds, ms (defaults 1 s .. 60 s). */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

/** Counters of the push, exported to Prometheus. */
export interface CarbonStats {
  graphite_lines_sent_total: number;
  graphite_lines_dropped_total: number;
  graphite_lines_buffered: number;
  graphite_connected: number;
}

/**
 * A connection to carbon's plaintext listener that survives carbon going
 * away: lines are queued (bounded, oldest dropped) and written once
 * connected. Lines already handed to the kernel when a connection breaks
 * may be lost (the protocol has no acknowledgements).
 */
export class CarbonClient {
  readonly #o: CarbonOptions;
  #queue: string[] = [];
  #head = 0;
  #socket: Socket | undefined;
  #connected = false;
  #writable = true;
  #backoff: number;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #lastError: string | undefined;
  readonly stats: CarbonStats = { graphite_lines_sent_total: 0, graphite_lines_dropped_total: 0, graphite_lines_buffered: 0, graphite_connected: 0 };

  constructor(options: CarbonOptions) {
    this.#o = options;
    this.#backoff = options.minBackoffMs ?? 1000;
    this.#connect();
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Queue lines and write what the connection takes. */
  send(lines: readonly string[]): void {
    if (this.#closed) return;
    for (const line of lines) this.#queue.push(line);
    const over = this.#queue.length - this.#head - this.#o.maxBuffer;
    if (over > 0) {
      this.#head += over;
      this.stats.graphite_lines_dropped_total += over;
    }
    this.#compact();
    this.#flush();
  }

  /** Stop: close the connection (after writing what is queued, if connected) and cancel reconnects. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const socket = this.#socket;
    if (!socket) return;
    await new Promise<void>((done) => {
      const t = setTimeout(() => {
        socket.destroy();
        done();
      }, 2000);
      socket.once('close', () => {
        clearTimeout(t);
        done();
      });
      socket.end();
    });
  }

  #compact(): void {
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.stats.graphite_lines_buffered = this.#queue.length - this.#head;
  }

  #flush(): void {
    const socket = this.#socket;
    if (!socket || !this.#connected || !this.#writable || this.#head >= this.#queue.length) return;
    const batch = this.#queue.slice(this.#head);
    this.#head = this.#queue.length;
    this.stats.graphite_lines_sent_total += batch.length;
    this.#compact();
    this.#writable = socket.write(batch.join(''));
  }

  #connect(): void {
    if (this.#closed) return;
    const { host, port, log } = this.#o;
    const socket = connect({ host, port });
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.#connected = true;
      this.#writable = true;
      this.stats.graphite_connected = 1;
      this.#backoff = this.#o.minBackoffMs ?? 1000;
      log.info(`connected to carbon at ${host}:${port}${this.#lastError ? ' again' : ''}`);
      this.#lastError = undefined;
      this.#flush();
    });
    socket.on('drain', () => {
      this.#writable = true;
      this.#flush();
    });
    // Carbon never writes; anything read is discarded.
    socket.on('data', () => undefined);
    socket.on('error', (err) => {
      const reason = errorMessage(err);
      if (reason !== this.#lastError) log.warn(`carbon at ${host}:${port}: ${reason}; buffering up to ${this.#o.maxBuffer} lines and retrying`);
      this.#lastError = reason;
    });
    socket.on('close', () => {
      this.#connected = false;
      this.stats.graphite_connected = 0;
      if (this.#socket === socket) this.#socket = undefined;
      if (this.#closed) return;
      this.#lastError ??= 'connection closed';
      const delay = this.#backoff;
      this.#backoff = Math.min(this.#backoff * 2, this.#o.maxBackoffMs ?? 60_000);
      this.#timer = setTimeout(() => this.#connect(), delay * (0.75 + Math.random() * 0.5));
      this.#timer.unref();
    });
  }
}

/** host:port -> parts ([v6] brackets removed). */
export function parseHostPort(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  return { host: text.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(text.slice(colon + 1)) };
}
