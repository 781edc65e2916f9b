import type { RegisteredNode } from './registry-record.js';

/** Slack on top of a node's heartbeat interval before its record counts as stale (MCollective's monitor used 30 s). */
export const staleGraceMs = 30_000;

/** Milliseconds since the node last wrote its record (never negative). */
export function recordAgeMs(node: RegisteredNode, now: number): number {
  return Math.max(0, now - node.updatedAt);
}

/**
 * The age past which a node's record is stale: `thresholdMs` when given,
 * else the node's own heartbeat interval plus {@link staleGraceMs}.
 */
export function staleAfterMs(node: RegisteredNode, thresholdMs?: number): number {
  return thresholdMs ?? node.record.interval * 1000 + staleGraceMs;
}

/** True when the node missed its heartbeat: it may be dead (its record expires at the bucket's max age). */
export function isStale(node: RegisteredNode, now: number, thresholdMs?: number): boolean {
  return recordAgeMs(node, now) > staleAfterMs(node, thresholdMs);
}

/** Whether the registry can stand in for broadcast discovery, and why (for -v). */
export interface RegistryFreshness {
  readonly fresh: boolean;
  readonly reason: string;
}

/**
 * The registry is fresh when it holds at least one record and at least one
 * record was refreshed within its heartbeat interval (plus grace): someone is
 * keeping it up to date. An empty registry, or one nobody has written to for
 * longer than that, is not trusted.
 */
export function registryFreshness(nodes: readonly RegisteredNode[], now: number): RegistryFreshness {
  if (nodes.length === 0) return { fresh: false, reason: 'the registry holds no live records' };
  let newest = Infinity;
  for (const node of nodes) {
    if (!isStale(node, now)) return { fresh: true, reason: `${nodes.length} node(s) registered` };
    newest = Math.min(newest, recordAgeMs(node, now));
  }
  return { fresh: false, reason: `no node refreshed its record within its heartbeat interval (newest is ${Math.round(newest / 1000)} s old)` };
}
