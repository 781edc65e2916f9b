import { lookup } from './template.js';

/**
 * Choosing a node's master (and CA) by facts, as mcprovision did: for each
 * criterion in order (e.g. region, then country) the masters whose fact
 * equals the node's; the first criterion with any match wins. Without one,
 * `fallback: first` takes any master, `fail` gives up. Several equal
 * candidates are spread over nodes by a stable hash of the node's identity,
 * so the same node always gets the same master while the set is unchanged.
 */

/** A node hosting the master/CA agent, with its facts. */
export interface MasterCandidate {
  readonly identity: string;
  readonly facts: Readonly<Record<string, unknown>>;
}

export interface MasterOptions {
  readonly criteria: readonly string[];
  readonly fallback: 'first' | 'fail';
  /** Master fact with its host name (default: its identity). */
  readonly hostFact: string | null;
  /** Master fact with its IP address (none when null or missing). */
  readonly ipFact: string | null;
  readonly port: number;
}

export interface MasterChoice {
  /** The master's identity (where `ca sign` goes). */
  readonly identity: string;
  /** Host name the node uses for it. */
  readonly host: string;
  readonly ip: string | undefined;
  readonly port: number;
  /** Why this one: `region=eu-west-1`, or `fallback`. */
  readonly reason: string;
}

/** Why no master could be chosen. */
export interface NoMaster {
  readonly error: string;
}

function scalar(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** FNV-1a: a small stable hash to spread nodes over equal masters. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function pick(node: string, among: readonly MasterCandidate[]): MasterCandidate {
  const sorted = [...among].sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
  return sorted[stableHash(node) % sorted.length]!;
}

function choice(m: MasterCandidate, options: MasterOptions, reason: string): MasterChoice {
  const host = (options.hostFact !== null ? scalar(lookup(m.facts, options.hostFact)) : undefined) ?? m.identity;
  const ip = options.ipFact !== null ? scalar(lookup(m.facts, options.ipFact)) : undefined;
  return { identity: m.identity, host, ip, port: options.port, reason };
}

/** Choose the master for `node` (its identity and facts) among `candidates`. */
export function chooseMaster(
  node: { identity: string; facts: Readonly<Record<string, unknown>> },
  candidates: readonly MasterCandidate[],
  options: MasterOptions,
): MasterChoice | NoMaster {
  if (candidates.length === 0) return { error: 'no master/CA node found (no node in the production collective hosts the CA agent)' };
  for (const fact of options.criteria) {
    const wanted = scalar(lookup(node.facts, fact));
    if (wanted === undefined) continue;
    const matching = candidates.filter((c) => scalar(lookup(c.facts, fact)) === wanted);
    if (matching.length > 0) return choice(pick(node.identity, matching), options, `${fact}=${wanted}`);
  }
  if (options.fallback === 'fail') {
    const tried = options.criteria.map((f) => `${f}=${scalar(lookup(node.facts, f)) ?? '(none)'}`).join(', ');
    return { error: `no master matches the node on ${tried || 'any criterion (none configured)'} and fallback is fail` };
  }
  return choice(pick(node.identity, candidates), options, 'fallback');
}
