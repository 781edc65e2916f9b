import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, mineStaleAfterMs, parseMineKey, type MineValue, type TrustStore } from '@cohort/core';
import { mirrorBootClock, type BootClock } from './boot-clock.js';
import type { KvEntry } from './kv.js';
import { verifyMineEntry } from './verify.js';

/** The first line of every mirror file starts with this. */
export const mirrorTag = 'cohort-mine/1';

/** What a mirror file says about its value. */
export type MirrorState = 'fresh' | 'stale' | 'failed';

/**
 * A mirror file: one header line
 * `cohort-mine/1 <state> <time_s> <stale_at_s> <statuscode> <time_ms> [<boot_id> <time_up_s> <stale_at_up_s>]`,
 * then the command's output, the action's data as JSON, or (failed) the status message.
 * With `boot`, the value's time and stale time are also given in seconds since
 * that boot (`time_up_s` may be negative), so the datasource program needs no
 * `date` process to judge the age; `boot_id` is `-` (thisBootOnly) when the
 * file cannot outlive the boot (the mirror's directory is on tmpfs).
 */
export function mirrorFile(value: MineValue, state: MirrorState, staleAt: number, boot?: BootClock): string {
  const body = state === 'failed' ? `${value.statusmsg}\n` : value.output !== undefined ? value.output : `${JSON.stringify(value.data ?? {})}\n`;
  const sinceBoot = boot === undefined ? '' : ` ${boot.id} ${Math.floor((value.time - boot.startedMs) / 1000)} ${Math.ceil((staleAt - boot.startedMs) / 1000)}`;
  return `${mirrorTag} ${state} ${Math.floor(value.time / 1000)} ${Math.ceil(staleAt / 1000)} ${value.statuscode} ${value.time}${sinceBoot}\n${body}`;
}

export interface MirrorOptions {
  readonly dir: string;
  readonly fn: string;
  readonly trust: TrustStore;
  /** Stale after this age (default: twice the value's interval). */
  readonly maxAgeMs?: number | undefined;
  readonly clock?: () => number;
  /**
   * This boot's clock for the seconds-since-boot header fields (default: read from /proc at each write, with the id
   * `-` when `dir` is on tmpfs; undefined: none).
   */
  readonly bootClock?: () => BootClock | undefined;
  /** Told about refused values and write failures. */
  readonly warn?: (message: string) => void;
}

interface Held {
  value: MineValue;
  staleAt: number;
  state: MirrorState;
}

/**
 * The export mirror: one file per node in `dir`, kept current from the
 * bucket's change feed. Each file is written to a temporary name and renamed
 * over the old one, so readers (the datasource program) see the old or the
 * new file whole, never a partial one, and need no lock. A value turning
 * stale is rewritten as stale by a timer set for the next value due to turn
 * (no polling); a removed value removes its file. Values that do not verify
 * are never written.
 */
export class MineMirror {
  readonly #o: MirrorOptions;
  readonly #clock: () => number;
  readonly #bootClock: () => BootClock | undefined;
  readonly #held = new Map<string, Held>();
  readonly #refused = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #seq = 0;
  /** Files written (for stats and tests). */
  writes = 0;

  constructor(options: MirrorOptions) {
    this.#o = options;
    this.#clock = options.clock ?? Date.now;
    mkdirSync(options.dir, { recursive: true });
    this.#bootClock = options.bootClock ?? mirrorBootClock(options.dir);
  }

  /** Identities currently mirrored. */
  get size(): number {
    return this.#held.size;
  }

  /** Apply one change from the bucket. */
  apply(entry: KvEntry): void {
    const parsed = parseMineKey(entry.key);
    if (parsed === undefined || parsed.function !== this.#o.fn) return;
    const id = parsed.identity;
    if (entry.value === undefined) {
      this.#held.delete(id);
      this.#remove(id);
      this.#arm();
      return;
    }
    const now = this.#clock();
    const v = verifyMineEntry(entry.key, entry.value, this.#o.trust, now);
    if (typeof v === 'string') {
      if (!this.#refused.has(id)) this.#o.warn?.(`ignoring the value of ${id}: ${v}`);
      this.#refused.add(id);
      return;
    }
    this.#refused.delete(id);
    const staleAt = v.time + mineStaleAfterMs(v, this.#o.maxAgeMs);
    const state: MirrorState = v.statuscode !== 0 ? 'failed' : now >= staleAt ? 'stale' : 'fresh';
    this.#held.set(id, { value: v, staleAt, state });
    this.#write(id, mirrorFile(v, state, staleAt, this.#bootClock()));
    this.#arm();
  }

  /** Remove files of a previous run that name no node held now (only mirror files: they start with the tag). */
  prune(): void {
    for (const name of readdirSync(this.#o.dir)) {
      if (name.startsWith('.') || this.#held.has(name)) continue;
      const file = join(this.#o.dir, name);
      if (startsWithTag(file)) this.#remove(name);
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  #arm(): void {
    clearTimeout(this.#timer);
    let next = Infinity;
    for (const h of this.#held.values()) if (h.state === 'fresh' && h.staleAt < next) next = h.staleAt;
    if (next === Infinity) return;
    this.#timer = setTimeout(() => this.#markStale(), Math.max(0, next - this.#clock()) + 1);
    this.#timer.unref();
  }

  #markStale(): void {
    const now = this.#clock();
    for (const [id, h] of this.#held) {
      if (h.state !== 'fresh' || h.staleAt > now) continue;
      h.state = 'stale';
      this.#write(id, mirrorFile(h.value, 'stale', h.staleAt, this.#bootClock()));
    }
    this.#arm();
  }

  #write(id: string, text: string): void {
    const tmp = join(this.#o.dir, `.${id}.${process.pid}.${this.#seq++}.tmp`);
    try {
      const fd = openSync(tmp, 'w', 0o644);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, join(this.#o.dir, id));
      this.writes++;
    } catch (err) {
      this.#o.warn?.(`cannot write the mirror file of ${id}: ${errorMessage(err)}`);
      try {
        unlinkSync(tmp);
      } catch {
        // nothing left behind
      }
    }
  }

  #remove(id: string): void {
    try {
      unlinkSync(join(this.#o.dir, id));
    } catch {
      // already gone
    }
  }
}

function startsWithTag(file: string): boolean {
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(mirrorTag.length);
      readSync(fd, buf, 0, buf.length, 0);
      return buf.toString('utf8') === mirrorTag;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}
