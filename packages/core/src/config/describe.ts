import { itemsOf, type ConfigSpec } from './spec.js';

function shown(value: unknown): string {
  return Array.isArray(value) ? `[${value.join(', ')}]` : value === null ? 'none' : String(value);
}

/**
 * Human-readable reference for a spec: per key a line with its default and
 * the variable/flag that also sets it, then its doc line, indented. Lines stay
 * short so help output does not need re-wrapping.
 */
export function describeConfig(spec: ConfigSpec): string[] {
  return itemsOf(spec).flatMap(([path, node]) => {
    const also = [node.env, node.flag].filter(Boolean).join(', ');
    return [`  ${path} = ${shown(node.default)}${also ? `   (${also})` : ''}`, `      ${node.doc}`];
  });
}
