import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** File names a plugin's results template may have beside its DDL, in order of preference. */
export const templateNames = (agent: string) => [`${agent}.results.mustache`, `${agent}.results.html`];

/** The largest template served. */
export const maxTemplateBytes = 64 * 1024;

/**
 * A plugin's optional results template (the seed's "results template":
 * HTML made from the action's replies), found beside the DDLs: the first
 * `<agent>.results.mustache` or `<agent>.results.html` in the DDL
 * directories, in their search order. Only its text is served; the page
 * renders it escaped, in a sandboxed frame. Undefined when there is none;
 * a file over 64 KiB is refused (undefined, with `problem`).
 */
export function findResultsTemplate(dirs: readonly string[], agent: string): { text?: string; problem?: string } {
  if (!/^[a-z0-9_]+$/.test(agent)) return {};
  for (const dir of dirs) {
    for (const name of templateNames(agent)) {
      const file = join(dir, name);
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        continue;
      }
      if (size > maxTemplateBytes) return { problem: `results template ${file} is ${size} bytes, over the ${maxTemplateBytes} allowed` };
      return { text: readFileSync(file, 'utf8') };
    }
  }
  return {};
}
