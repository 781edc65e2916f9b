import { isIP } from 'node:net';
import type { Facts } from '@cohort/core';

/** The facts tried, in order, for a node's address when `advertise_address` is not set (facter's names). */
export const addressFacts: readonly string[] = Object.freeze(['networking.ip', 'ipaddress', 'networking.ip6', 'ipaddress6']);

function factAt(facts: Facts, path: string): unknown {
  let v: unknown = facts;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * The address published in the node's registry record: `advertise_address`
 * when set, else the first of addressFacts that holds an IPv4 or IPv6
 * address; undefined when none does.
 */
export function nodeAddress(advertise: string | null, facts: Facts): string | undefined {
  if (advertise !== null) return advertise;
  for (const name of addressFacts) {
    const v = factAt(facts, name);
    if (typeof v === 'string' && isIP(v) !== 0) return v;
  }
  return undefined;
}
