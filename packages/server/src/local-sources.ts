import { readdirSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { errorMessage } from '@cohort/core';
import { loadServerConfig, type ServerConfig } from '@cohort/agents';
import type { Logger } from '@cohort/core/log';

/**
 * Named things declared on this node (mine functions, checks): a section of
 * the config file and a drop-in directory of YAML files of the same shape.
 */
export interface LocalSettings {
  /** The config file's section (a map of name -> settings). */
  readonly inline: unknown;
  /** The drop-in directory, or null. */
  readonly dir: string | null;
}

/** What one kind of local declarations looks like (the mine's functions, the checks). */
export interface LocalKind<T extends { readonly name: string; readonly source: string }> {
  /** For log lines: `mine`, `checks`. */
  readonly label: string;
  /** The key a drop-in file may wrap its map in (`mine:`, `checks:`). */
  readonly wrapper: string;
  /** This kind's settings in a (re)loaded config. */
  select(config: ServerConfig): LocalSettings;
  /** Parse a map of name -> settings; bad entries are reported (naming the entry and setting) and left out. */
  parse(raw: unknown, source: 'config' | `drop-in ${string}`): { items: T[]; errors: string[] };
}

/** Read a drop-in directory: every *.yaml / *.yml file in name order, each a map (or `<wrapper>:` holding one). */
export function readDropInDir<T extends { readonly name: string; readonly source: string }>(dir: string, kind: LocalKind<T>, log: Logger): T[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('.')).sort();
  } catch (err) {
    log.warn(`${kind.label}: cannot read the drop-in directory ${dir}: ${errorMessage(err)}`);
    return [];
  }
  const out: T[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let raw: unknown;
    try {
      raw = yaml.load(readFileSync(file, 'utf8'), { filename: file, schema: yaml.CORE_SCHEMA });
    } catch (err) {
      log.error(`${kind.label}: ignoring drop-in ${file}: ${errorMessage(err)}`);
      continue;
    }
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && kind.wrapper in raw && Object.keys(raw).length === 1) raw = (raw as Record<string, unknown>)[kind.wrapper];
    const { items, errors } = kind.parse(raw, `drop-in ${file}`);
    for (const e of errors) log.error(`${kind.label}: ${e}; ignored`);
    out.push(...items);
  }
  return out;
}

/** How often files are compared when the kernel refuses a watch (inotify instances used up). */
const fallbackMs = 2000;

/** A cheap fingerprint of files and directories: names, sizes and modification times. */
function fingerprint(paths: readonly string[]): string {
  const parts: string[] = [];
  for (const p of paths) {
    try {
      const st = statSync(p);
      parts.push(`${p}:${st.size}:${st.mtimeMs}`);
      if (st.isDirectory()) for (const n of readdirSync(p).sort()) parts.push(fingerprint([join(p, n)]));
    } catch {
      parts.push(`${p}:-`);
    }
  }
  return parts.join('|');
}

export interface LocalSourcesOptions<T extends { readonly name: string; readonly source: string }> {
  readonly kind: LocalKind<T>;
  readonly configFile: string | undefined;
  readonly settings: LocalSettings;
  readonly log: Logger;
  readonly onChange: (items: T[]) => void;
  /** fs.watch, replaceable in unit tests. */
  readonly watch?: typeof watch;
}

/**
 * The things of one kind declared on this node: the config file's section,
 * then the drop-in files (a name already taken is ignored, with a warning).
 * Watches the config file and the directory (fs.watch, no polling) and calls
 * `onChange` with the new set after each change; a config file that no
 * longer loads is reported and the previous set is kept. When the kernel
 * refuses a watch (inotify instances used up), the files are compared every
 * 2 s instead (logged once), so changes still apply without a restart.
 * Used by the mine (mine:, mine_dir) and the checks (checks:, checks_dir).
 */
export class LocalSources<T extends { readonly name: string; readonly source: string }> {
  readonly #kind: LocalKind<T>;
  readonly #configFile: string | undefined;
  readonly #log: Logger;
  readonly #onChange: (items: T[]) => void;
  readonly #fsWatch: typeof watch;
  #settings: LocalSettings;
  #configWatcher: FSWatcher | undefined;
  #dirWatcher: FSWatcher | undefined;
  #dirTimer: NodeJS.Timeout | undefined;
  #watchedDir: string | null = null;
  #fallback: NodeJS.Timeout | undefined;
  #seen = '';

  constructor(options: LocalSourcesOptions<T>) {
    this.#kind = options.kind;
    this.#fsWatch = options.watch ?? watch;
    this.#configFile = options.configFile;
    this.#settings = options.settings;
    this.#log = options.log;
    this.#onChange = options.onChange;
  }

  /** The items now, and start watching. */
  start(): T[] {
    const file = this.#configFile;
    if (file !== undefined) {
      const name = basename(file);
      this.#configWatcher = this.#watch(dirname(resolve(file)), (changed) => {
        if (changed === null || changed === name) this.#debounced(() => this.#configChanged());
      });
    }
    this.#watchDir();
    return this.items();
  }

  /** The items as the current settings and drop-ins declare them. */
  items(): T[] {
    const label = this.#kind.label;
    const { items, errors } = this.#kind.parse(this.#settings.inline, 'config');
    for (const e of errors) this.#log.error(`${label}: ${e}; ignored`);
    const dir = this.#settings.dir;
    const all = dir === null ? items : [...items, ...readDropInDir(dir, this.#kind, this.#log)];
    const seen = new Map<string, T>();
    for (const f of all) {
      const earlier = seen.get(f.name);
      if (earlier) this.#log.warn(`${label}: '${f.name}' in ${f.source} is ignored: already declared in ${earlier.source}`);
      else seen.set(f.name, f);
    }
    return [...seen.values()];
  }

  close(): void {
    this.#configWatcher?.close();
    this.#dirWatcher?.close();
    clearTimeout(this.#dirTimer);
    clearInterval(this.#fallback);
  }

  #debounced(fn: () => void): void {
    clearTimeout(this.#dirTimer);
    this.#dirTimer = setTimeout(fn, 200);
  }

  /** fs.watch `dir`; on refusal, start the fallback comparison and return undefined. */
  #watch(dir: string, onEvent: (name: string | null) => void): FSWatcher | undefined {
    const label = this.#kind.label;
    try {
      const w = this.#fsWatch(dir, { persistent: false }, (_event, name) => onEvent(name === null ? null : String(name)));
      w.on('error', (err) => {
        this.#log.warn(`${label}: stopped watching ${dir}: ${errorMessage(err)}`);
        this.#startFallback();
      });
      return w;
    } catch (err) {
      this.#log.warn(`${label}: cannot watch ${dir} (${errorMessage(err)}); comparing the ${label} files every ${fallbackMs / 1000} s instead`);
      this.#startFallback();
      return undefined;
    }
  }

  #watchedPaths(): string[] {
    return [...(this.#configFile !== undefined ? [this.#configFile] : []), ...(this.#settings.dir !== null ? [this.#settings.dir] : [])];
  }

  #startFallback(): void {
    if (this.#fallback !== undefined) return;
    this.#seen = fingerprint(this.#watchedPaths());
    this.#fallback = setInterval(() => {
      const now = fingerprint(this.#watchedPaths());
      if (now === this.#seen) return;
      this.#seen = now;
      this.#configChanged();
    }, fallbackMs);
    this.#fallback.unref();
  }

  #configChanged(): void {
    if (this.#configFile === undefined) {
      this.#onChange(this.items());
      return;
    }
    try {
      const { config } = loadServerConfig({ file: this.#configFile });
      this.#settings = this.#kind.select(config);
    } catch (err) {
      this.#log.error(`${this.#kind.label}: the config file changed but cannot be used (${errorMessage(err)}); keeping the current ones`);
      return;
    }
    this.#watchDir();
    this.#onChange(this.items());
  }

  #watchDir(): void {
    const dir = this.#settings.dir;
    if (dir === this.#watchedDir) return;
    this.#dirWatcher?.close();
    this.#dirWatcher = undefined;
    this.#watchedDir = dir;
    if (dir === null) return;
    this.#dirWatcher = this.#watch(dir, () => this.#debounced(() => this.#configChanged()));
  }
}
