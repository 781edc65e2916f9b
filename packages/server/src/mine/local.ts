import { readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { errorMessage, loadServerConfig, parseMineFunctions, type MineFunction } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import { watchFiles } from '../watch.js';

/** The local part of the mine settings: the `mine:` section and the drop-in directory. */
export interface LocalMineSettings {
  readonly mine: Readonly<Record<string, unknown>>;
  readonly mine_dir: string | null;
}

/** Read the drop-in directory: every *.yaml / *.yml file in name order, each a map of functions (or `mine:` holding one). */
export function readDropIns(dir: string, log: Logger): MineFunction[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('.')).sort();
  } catch (err) {
    log.warn(`mine: cannot read the drop-in directory ${dir}: ${errorMessage(err)}`);
    return [];
  }
  const out: MineFunction[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let raw: unknown;
    try {
      raw = yaml.load(readFileSync(file, 'utf8'), { filename: file, schema: yaml.CORE_SCHEMA });
    } catch (err) {
      log.error(`mine: ignoring drop-in ${file}: ${errorMessage(err)}`);
      continue;
    }
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'mine' in raw && Object.keys(raw).length === 1) raw = (raw as { mine: unknown }).mine;
    const { functions, errors } = parseMineFunctions(raw, `drop-in ${file}`);
    for (const e of errors) log.error(`mine: ${e}; that function is ignored`);
    out.push(...functions);
  }
  return out;
}

/**
 * The functions declared on this node: the config file's `mine:` section,
 * then the drop-in files (a name already taken is ignored, with a warning).
 * Watches the config file and the directory (fs.watch, no polling) and calls
 * `onChange` with the new set after each change; a config file that no
 * longer loads is reported and the previous functions are kept.
 */
export class LocalMineSources {
  readonly #configFile: string | undefined;
  readonly #log: Logger;
  readonly #onChange: (functions: MineFunction[]) => void;
  #settings: LocalMineSettings;
  #unwatchConfig: (() => void) | undefined;
  #dirWatcher: FSWatcher | undefined;
  #dirTimer: NodeJS.Timeout | undefined;
  #watchedDir: string | null = null;

  constructor(options: { configFile: string | undefined; settings: LocalMineSettings; log: Logger; onChange: (functions: MineFunction[]) => void }) {
    this.#configFile = options.configFile;
    this.#settings = options.settings;
    this.#log = options.log;
    this.#onChange = options.onChange;
  }

  /** The functions now, and start watching. */
  start(): MineFunction[] {
    if (this.#configFile !== undefined) this.#unwatchConfig = watchFiles([this.#configFile], () => this.#configChanged(), this.#log);
    this.#watchDir();
    return this.functions();
  }

  /** The functions as the current settings and drop-ins declare them. */
  functions(): MineFunction[] {
    const { functions, errors } = parseMineFunctions(this.#settings.mine, 'config');
    for (const e of errors) this.#log.error(`mine: ${e}`);
    const dir = this.#settings.mine_dir;
    const all = dir === null ? functions : [...functions, ...readDropIns(dir, this.#log)];
    const seen = new Map<string, MineFunction>();
    for (const f of all) {
      const earlier = seen.get(f.name);
      if (earlier) this.#log.warn(`mine: '${f.name}' in ${f.source} is ignored: already declared in ${earlier.source}`);
      else seen.set(f.name, f);
    }
    return [...seen.values()];
  }

  close(): void {
    this.#unwatchConfig?.();
    this.#dirWatcher?.close();
    clearTimeout(this.#dirTimer);
  }

  #configChanged(): void {
    if (this.#configFile === undefined) return;
    try {
      const { config } = loadServerConfig({ file: this.#configFile });
      this.#settings = { mine: config.mine, mine_dir: config.mine_dir };
    } catch (err) {
      this.#log.error(`mine: the config file changed but cannot be used (${errorMessage(err)}); keeping the current mine functions`);
      return;
    }
    this.#watchDir();
    this.#onChange(this.functions());
  }

  #watchDir(): void {
    const dir = this.#settings.mine_dir;
    if (dir === this.#watchedDir) return;
    this.#dirWatcher?.close();
    this.#dirWatcher = undefined;
    this.#watchedDir = dir;
    if (dir === null) return;
    try {
      this.#dirWatcher = watch(dir, { persistent: false }, () => {
        clearTimeout(this.#dirTimer);
        this.#dirTimer = setTimeout(() => this.#onChange(this.functions()), 200);
      });
      this.#dirWatcher.on('error', (err) => this.#log.warn(`mine: stopped watching ${dir}: ${errorMessage(err)}`));
    } catch (err) {
      this.#log.warn(`mine: cannot watch the drop-in directory ${dir} (${errorMessage(err)}); create it and touch the config file to pick it up`);
    }
  }
}
