import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, watch as fsWatch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * A value loaded from trust files (a keys directory and issuer key files)
 * and reloaded when their CONTENT changes, as the kernel reports it
 * (fs.watch: inotify on Linux). No timer runs: an idle daemon is not woken
 * up. Watched are the keys directory (files added, removed, renamed or
 * written in place), every `.pub` file in it and every issuer file (written
 * in place, also through a symlink), and each issuer file's directory (a
 * file replaced by rename). An event only marks the value dirty; the next
 * `get()` hashes the files' contents and reloads when the hash changed, so a
 * burst of events costs one reload and an event that changed nothing
 * (a touch) costs none. A reload that fails keeps the previous value.
 *
 * When the kernel refuses a watch (inotify instances or watches used up, a
 * path that does not exist yet), the content is checked instead on `get()`,
 * at most once per `fallbackIntervalMs`: still no timer, so an idle daemon
 * sleeps, and a busy one never trusts a replaced key for long.
 */
export interface TrustFiles {
  /** Directory of `*.pub` files, if any. */
  readonly keysDir: string | null | undefined;
  /** Individual files (issuer keys). */
  readonly files: readonly string[];
}

export interface WatchedTrustOptions<T> {
  readonly sources: TrustFiles;
  readonly load: () => T;
  /** A reload failed (the previous value stays). */
  readonly onError?: (err: unknown) => void;
  /** A watch could not be set up: that path is then checked on use (see fallbackIntervalMs). */
  readonly onWatchError?: (path: string, err: unknown) => void;
  /** Without a watch on every path, get() compares content at most this often (default 2000 ms). */
  readonly fallbackIntervalMs?: number;
  /** fs.watch, replaceable in unit tests. */
  readonly watch?: typeof fsWatch;
  /** Clock for the fallback check (tests). */
  readonly now?: () => number;
}

function readOrDash(file: string): string {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return '-';
  }
}

function pubFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith('.pub'))
      .sort()
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/** SHA-256 over the names and contents of every trust file (a missing one counts as `-`). */
export function trustContentHash(sources: TrustFiles): string {
  const hash = createHash('sha256');
  const files = [...(sources.keysDir ? pubFiles(sources.keysDir) : []), ...sources.files];
  for (const file of files) hash.update(`${file}\0${readOrDash(file)}\0`);
  if (sources.keysDir) hash.update(`dir\0${sources.keysDir}`);
  return hash.digest('hex');
}

export class WatchedTrust<T> {
  readonly #options: WatchedTrustOptions<T>;
  readonly #watchers = new Map<string, FSWatcher>();
  /** Paths the kernel would not watch (checked by content on use instead). */
  readonly #unwatched = new Set<string>();
  #checkedAt = 0;
  #value: T;
  #hash: string;
  #dirty = false;
  #closed = false;
  #reloads = 0;

  /** Loads once now (errors propagate: a broken trust file at startup is a startup error) and starts watching. */
  constructor(options: WatchedTrustOptions<T>) {
    this.#options = options;
    this.#checkedAt = (options.now ?? Date.now)();
    this.#hash = trustContentHash(options.sources);
    this.#value = options.load();
    this.#arm();
  }

  /** The current value, reloaded first when a watched file's content changed. */
  get(): T {
    if (this.#closed) return this.#value;
    if (this.#dirty) this.#refresh();
    else if (this.#unwatched.size > 0) {
      const now = (this.#options.now ?? Date.now)();
      if (now - this.#checkedAt >= (this.#options.fallbackIntervalMs ?? 2000)) this.#refresh();
    }
    return this.#value;
  }

  /** Paths that could not be watched (their changes are found by the on-use check). */
  get unwatched(): readonly string[] {
    return [...this.#unwatched].sort();
  }

  /** How many times the value was reloaded (content changed). */
  get reloads(): number {
    return this.#reloads;
  }

  /** Paths watched now (for tests and diagnostics). */
  get watched(): readonly string[] {
    return [...this.#watchers.keys()].sort();
  }

  /** Stop watching. */
  close(): void {
    this.#closed = true;
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
  }

  #refresh(): void {
    this.#dirty = false;
    this.#checkedAt = (this.#options.now ?? Date.now)();
    // Re-arm before hashing (files may have been added, removed or replaced by
    // rename): a change after this point is either in the hash or marks us dirty again.
    this.#arm();
    const hash = trustContentHash(this.#options.sources);
    if (hash === this.#hash) return;
    this.#hash = hash;
    try {
      this.#value = this.#options.load();
      this.#reloads++;
    } catch (err) {
      this.#options.onError?.(err);
    }
  }

  /** The paths to watch now: the keys directory and its .pub files, each issuer file and its directory. */
  #targets(): Map<string, ((name: string | null) => boolean) | undefined> {
    const { keysDir, files } = this.#options.sources;
    const targets = new Map<string, ((name: string | null) => boolean) | undefined>();
    if (keysDir) {
      targets.set(keysDir, undefined);
      for (const file of pubFiles(keysDir)) targets.set(file, undefined);
    }
    for (const file of files) {
      targets.set(file, undefined);
      const dir = dirname(file);
      const name = basename(file);
      if (!targets.has(dir)) targets.set(dir, (changed) => changed === null || changed === name);
      else {
        const earlier = targets.get(dir);
        if (earlier) targets.set(dir, (changed) => earlier(changed) || changed === null || changed === name);
      }
    }
    return targets;
  }

  #arm(): void {
    const targets = this.#targets();
    const watch = this.#options.watch ?? fsWatch;
    for (const path of [...this.#unwatched]) if (!targets.has(path)) this.#unwatched.delete(path);
    for (const [path, watcher] of this.#watchers) {
      if (!targets.has(path)) {
        watcher.close();
        this.#watchers.delete(path);
      }
    }
    for (const [path, relevant] of targets) {
      // A file replaced by rename keeps the old inode watched: watch it afresh.
      const old = this.#watchers.get(path);
      if (old && relevant === undefined && path !== this.#options.sources.keysDir) {
        old.close();
        this.#watchers.delete(path);
      }
      if (this.#watchers.has(path)) continue;
      try {
        const w = watch(path, { persistent: false }, (_event, name) => {
          if (relevant === undefined || relevant(typeof name === 'string' ? name : null)) this.#dirty = true;
        });
        w.on('error', () => {
          // The path went away (deleted directory, replaced file): drop it and look again on the next get().
          w.close();
          if (this.#watchers.get(path) === w) this.#watchers.delete(path);
          this.#unwatched.add(path);
          this.#dirty = true;
        });
        this.#watchers.set(path, w);
        this.#unwatched.delete(path);
      } catch (err) {
        if (!this.#unwatched.has(path)) this.#options.onWatchError?.(path, err);
        this.#unwatched.add(path);
      }
    }
  }
}
