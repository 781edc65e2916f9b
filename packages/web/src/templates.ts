import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parsePluginMeta, pluginMetaFile, safeRelativePath } from '@cohort/core';

/** File names a plugin's results template may have beside its DDL, in order of preference. */
export const templateNames = (agent: string) => [`${agent}.results.mustache`, `${agent}.results.html`];

/** The largest template served. */
export const maxTemplateBytes = 64 * 1024;

/**
 * The template a plugin directory names in its meta file (`results_template`
 * in plugin.yaml, docs/plugins.md), when that directory is agent's plugin.
 */
function metaTemplate(dir: string, agent: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, pluginMetaFile), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const meta = parsePluginMeta(text, join(dir, pluginMetaFile));
    return meta.name === agent && meta.results_template && safeRelativePath(meta.results_template) ? meta.results_template : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A plugin's optional results template (the seed's "results template":
 * HTML made from the action's replies), found beside the DDLs: in each DDL
 * directory, in their search order, the file a plugin.yaml for this agent
 * names (`results_template`), else `<agent>.results.mustache` or
 * `<agent>.results.html`. Only its text is served; the page
 * renders it escaped, in a sandboxed frame. Undefined when there is none;
 * a file over 64 KiB is refused (undefined, with `problem`).
 */
export function findResultsTemplate(dirs: readonly string[], agent: string): { text?: string; problem?: string } {
  if (!/^[a-z0-9_]+$/.test(agent)) return {};
  for (const dir of dirs) {
    const named = metaTemplate(dir, agent);
    for (const name of named ? [named, ...templateNames(agent)] : templateNames(agent)) {
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
