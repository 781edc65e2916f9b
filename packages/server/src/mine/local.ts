import type { watch } from 'node:fs';
import { parseMineFunctions, type MineFunction } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import { LocalSources, readDropInDir, type LocalKind } from '../local-sources.js';

/** The local part of the mine settings: the `mine:` section and the drop-in directory. */
export interface LocalMineSettings {
  readonly mine: Readonly<Record<string, unknown>>;
  readonly mine_dir: string | null;
}

/** Mine functions as a kind of local declarations (local-sources.ts). */
const mineKind: LocalKind<MineFunction> = {
  label: 'mine',
  wrapper: 'mine',
  select: (config) => ({ inline: config.mine, dir: config.mine_dir }),
  parse: (raw, source) => {
    const { functions, errors } = parseMineFunctions(raw, source);
    return { items: functions, errors };
  },
};

/** Read the drop-in directory: every *.yaml / *.yml file in name order, each a map of functions (or `mine:` holding one). */
export function readDropIns(dir: string, log: Logger): MineFunction[] {
  return readDropInDir(dir, mineKind, log);
}

/**
 * The functions declared on this node: the config file's `mine:` section,
 * then the drop-in files, watched and re-read live (see LocalSources).
 */
export class LocalMineSources {
  readonly #sources: LocalSources<MineFunction>;

  constructor(options: {
    configFile: string | undefined;
    settings: LocalMineSettings;
    log: Logger;
    onChange: (functions: MineFunction[]) => void;
    /** fs.watch, replaceable in unit tests. */
    watch?: typeof watch;
  }) {
    this.#sources = new LocalSources({
      kind: mineKind,
      configFile: options.configFile,
      settings: { inline: options.settings.mine, dir: options.settings.mine_dir },
      log: options.log,
      onChange: options.onChange,
      ...(options.watch ? { watch: options.watch } : {}),
    });
  }

  /** The functions now, and start watching. */
  start(): MineFunction[] {
    return this.#sources.start();
  }

  /** The functions as the current settings and drop-ins declare them. */
  functions(): MineFunction[] {
    return this.#sources.items();
  }

  close(): void {
    this.#sources.close();
  }
}
