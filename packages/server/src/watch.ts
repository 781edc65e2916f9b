import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { errorMessage } from '@cohort/core';
import type { Logger } from '@cohort/core/log';

/**
 * Watch files for changes and call `onChange` once things settle
 * (`debounceMs` after the last event). Watches the parent directories, so
 * editors and tools that replace a file by renaming are seen too.
 * Returns a function that stops watching.
 */
export function watchFiles(files: readonly string[], onChange: (changed: string[]) => void, log: Logger, debounceMs = 250): () => void {
  const byDir = new Map<string, Set<string>>();
  for (const f of files) {
    const abs = resolve(f);
    const names = byDir.get(dirname(abs)) ?? new Set<string>();
    names.add(basename(abs));
    byDir.set(dirname(abs), names);
  }
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        const file = name === null ? undefined : String(name);
        if (file !== undefined && !names.has(file)) return;
        changed.add(file === undefined ? dir : resolve(dir, file));
        clearTimeout(timer);
        timer = setTimeout(() => {
          const list = [...changed];
          changed.clear();
          onChange(list);
        }, debounceMs);
      });
      w.on('error', (err) => log.warn(`stopped watching ${dir} for fact changes: ${errorMessage(err)}; send SIGHUP to reload`));
      watchers.push(w);
    } catch (err) {
      log.warn(`cannot watch ${dir} for fact changes: ${errorMessage(err)}; send SIGHUP to reload`);
    }
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
