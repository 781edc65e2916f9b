import { columns, formatValue } from './text.js';

/** Flatten nested objects to dotted keys (`os.family`); arrays and scalars are leaves. Sorted by key. */
export function flattenFacts(facts: unknown, prefix = '', out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (typeof facts === 'object' && facts !== null && !Array.isArray(facts)) {
    const entries = Object.entries(facts);
    if (entries.length === 0 && prefix) out.push([prefix, {}]);
    for (const [k, v] of entries) flattenFacts(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.push([prefix, facts]);
  }
  return prefix ? out : out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function leaf(value: unknown): string {
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return value.map(String).join(', ');
  return formatValue(value, 1e9);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).sort() : [];
}

const known = new Set(['agents', 'facts', 'classes', 'version', 'main_collective', 'collectives', 'data_plugins']);

/**
 * An rpcutil inventory as text: version and collectives, agents and classes in
 * columns, then facts flattened to `dotted.name => value`, then anything else.
 */
export function renderInventory(identity: string, data: Record<string, unknown>, width = 80): string[] {
  const lines = [`Inventory for ${identity}:`, ''];
  if (data['version'] !== undefined) lines.push(`   Version: ${formatValue(data['version'])}`);
  if (data['main_collective'] !== undefined) lines.push(`   Main Collective: ${formatValue(data['main_collective'])}`);
  if (data['collectives'] !== undefined) lines.push(`   Collectives: ${stringList(data['collectives']).join(', ')}`);
  const section = (title: string, items: string[]): void => {
    lines.push('', `   ${title}:`, ...(items.length ? columns(items, width, 6) : ['      (none)']));
  };
  section('Agents', stringList(data['agents']));
  if (data['data_plugins'] !== undefined) section('Data Plugins', stringList(data['data_plugins']));
  section('Configuration Management Classes', stringList(data['classes']));
  lines.push('', '   Facts:');
  const facts = flattenFacts(data['facts'] ?? {});
  if (facts.length === 0) lines.push('      (none)');
  for (const [k, v] of facts) lines.push(`      ${k} => ${leaf(v)}`);
  const rest = Object.entries(data).filter(([k, v]) => !known.has(k) && v !== null && v !== undefined);
  if (rest.length) {
    lines.push('', '   Other:');
    for (const [k, v] of rest) lines.push(`      ${k} => ${leaf(v)}`);
  }
  lines.push('');
  return lines;
}
