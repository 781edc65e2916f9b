import { item } from '../spec.js';

/**
 * Plugins pushed to the fleet (`cohort plugin push`, docs/plugins.md):
 *
 *   plugin_sync: true
 *   plugin_sync_filter: [web_*, hello]   # optional: only these plugin names
 *   plugin_sync_dir: /var/lib/cohort/plugins
 *
 * The node watches the signed manifests, fetches, verifies and installs new
 * versions and swaps them in without a restart.
 */
export const pluginSyncItem = item<boolean>({
  default: false,
  doc: 'install and run plugins pushed with `cohort plugin push` (signed by a trusted caller allowed plugin#push; docs/plugins.md)',
  schema: { type: 'boolean' },
  expect: 'true or false',
});

export const pluginSyncFilterItem = item<readonly string[] | null>({
  default: null,
  doc: 'plugin names (globs with *) this node syncs; null: every pushed plugin',
  schema: { type: ['array', 'null'], items: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z0-9_*]+$' } },
  expect: 'a list of plugin names or globs such as web_*, or null',
});

export const pluginSyncDirItem = item<string | null>({
  default: null,
  doc: 'where pushed plugins are installed (one directory per plugin, the running and the previous version); default: plugins.d beside the config file',
  schema: { type: ['string', 'null'], minLength: 1 },
  expect: 'a directory path or null',
  path: true,
});
