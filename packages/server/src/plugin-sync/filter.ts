/** Whether plugin `name` is one this node takes: `plugin_sync_filter` lists names and globs (`*` any run of characters); null takes all. */
export function matchesFilter(name: string, filter: readonly string[] | null): boolean {
  if (filter === null) return true;
  return filter.some((pattern) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(name));
}
