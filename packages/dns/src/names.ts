/**
 * The names `cohort dns` answers, under `<collective>.<domain>`:
 *
 *   <service>.service.<collective>.<domain>        nodes offering the service
 *   <tag>.<service>.service.<collective>.<domain>  ... with that tag
 *   <class>.class.<collective>.<domain>            nodes with that class
 *   <identity>.node.<collective>.<domain>          that node
 *
 * Pure parsing: no I/O. DNS names compare case-insensitively, so everything
 * is lower-cased first.
 */

/** What a query name asks for. */
export type Lookup =
  | { readonly kind: 'service'; readonly service: string; readonly tag: string | undefined }
  | { readonly kind: 'class'; readonly label: string }
  | { readonly kind: 'node'; readonly identity: string }
  /** `<collective>.<domain>`, `<domain>` or `service.`/`class.`/`node.` under it: names that exist but hold no address. */
  | { readonly kind: 'empty' }
  /** Under the domain, but no such name: NXDOMAIN. */
  | { readonly kind: 'unknown' }
  /** Not under the domain: REFUSED (this server answers for nothing else). */
  | { readonly kind: 'outside' };

/** The zone a server answers for. */
export interface Zone {
  /** e.g. `cohort` (no dots at either end; may contain inner dots: `sd.example.net`). */
  readonly domain: string;
  readonly collective: string;
}

/** A domain as given (`cohort`, `.cohort.`, `Example.NET`) in canonical form, or an error naming the problem. */
export function normaliseDomain(domain: string): string | { error: string } {
  const d = domain.trim().toLowerCase().replace(/^\.+|\.+$/g, '');
  if (d === '') return { error: `domain '${domain}' is empty` };
  for (const label of d.split('.')) {
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) return { error: `domain '${domain}': '${label}' is not a DNS label (letters, digits and '-', at most 63)` };
  }
  return d;
}

/** The label a class answers to: lower case, every run of characters outside [a-z0-9-] as one '-' (`apache::mod` → `apache-mod`). */
export function classLabel(cls: string): string {
  return cls.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
}

/** The name of a node in the zone: `<identity>.node.<collective>.<domain>` (lower case). */
export function nodeName(identity: string, zone: Zone): string {
  return `${identity.toLowerCase()}.node.${zone.collective.toLowerCase()}.${zone.domain}`;
}

/** Parse a query name (with or without the trailing dot) against the zone. */
export function parseName(qname: string, zone: Zone): Lookup {
  const name = qname.toLowerCase().replace(/\.$/, '');
  const domain = zone.domain;
  if (name !== domain && !name.endsWith(`.${domain}`)) return { kind: 'outside' };
  if (name === domain) return { kind: 'empty' };
  const inDomain = name.slice(0, -domain.length - 1);
  const collective = zone.collective.toLowerCase();
  if (inDomain === collective) return { kind: 'empty' };
  if (!inDomain.endsWith(`.${collective}`)) return { kind: 'unknown' };
  const rest = inDomain.slice(0, -collective.length - 1);
  const dot = rest.lastIndexOf('.');
  const section = dot < 0 ? rest : rest.slice(dot + 1);
  const head = dot < 0 ? '' : rest.slice(0, dot);
  if (head === '') return section === 'service' || section === 'class' || section === 'node' ? { kind: 'empty' } : { kind: 'unknown' };
  switch (section) {
    case 'service': {
      const labels = head.split('.');
      if (labels.length === 1) return { kind: 'service', service: labels[0]!, tag: undefined };
      if (labels.length === 2) return { kind: 'service', service: labels[1]!, tag: labels[0]! };
      return { kind: 'unknown' };
    }
    case 'class':
      return head.includes('.') ? { kind: 'unknown' } : { kind: 'class', label: head };
    case 'node':
      return { kind: 'node', identity: head };
    default:
      return { kind: 'unknown' };
  }
}
