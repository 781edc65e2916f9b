import type { Reply } from '@cohort/client';
import { columns } from './text.js';

/** One value of a fact and the nodes that have it. */
export interface FactValueGroup {
  /** The value as replied (typed). */
  value: unknown;
  /** The value as shown and grouped: strings as they are, others as JSON; missing as `(missing)`. */
  text: string;
  nodes: string[];
}

export function factText(value: unknown): string {
  if (value === undefined || value === null) return '(missing)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Group successful get_fact replies by value; sorted by value text, nodes sorted. */
export function groupFactValues(replies: Iterable<Pick<Reply, 'sender' | 'statuscode' | 'data' | 'unexpected'>>): FactValueGroup[] {
  const groups = new Map<string, FactValueGroup>();
  for (const r of replies) {
    if (r.statuscode !== 0 || r.unexpected) continue;
    const value = r.data['value'];
    const text = factText(value);
    let g = groups.get(text);
    if (!g) {
      g = { value: value ?? null, text, nodes: [] };
      groups.set(text, g);
    }
    g.nodes.push(r.sender);
  }
  const out = [...groups.values()].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  for (const g of out) g.nodes.sort();
  return out;
}

/** `Report for fact: FACT`, then `<value padded>  found N times` per value (with `verbose`, the nodes under each). */
export function renderFactReport(fact: string, groups: readonly FactValueGroup[], options: { verbose?: boolean; width?: number } = {}): string[] {
  const lines = [`Report for fact: ${fact}`, ''];
  const pad = Math.max(40, ...groups.map((g) => g.text.length + 1));
  for (const g of groups) {
    lines.push(`        ${g.text.padEnd(pad)} found ${g.nodes.length} times`);
    if (options.verbose) lines.push('', ...columns(g.nodes, options.width ?? 80, 12), '');
  }
  lines.push('');
  return lines;
}
