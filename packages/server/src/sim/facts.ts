import type { Facts } from '@cohort/core';

/** One simulated node: identity, facts and classes. */
export interface SimNodeSpec {
  readonly identity: string;
  readonly facts: Facts;
  readonly classes: readonly string[];
}

const roles = ['web', 'db', 'cache', 'queue', 'worker'] as const;
const countries = ['de', 'fr', 'us', 'nl'] as const;
const families = [
  { family: 'Debian', release: '12.5' },
  { family: 'RedHat', release: '9.3' },
  { family: 'Alpine', release: '3.19' },
] as const;
const cpuCounts = [2, 4, 8, 16, 32] as const;

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length] as T;
}

/** The identity of simulated node `index` (1-based): `<prefix>-00042`. */
export function simIdentity(prefix: string, index: number): string {
  return `${prefix}-${String(index).padStart(5, '0')}`;
}

/**
 * Deterministic, varied facts for simulated node `index`: role, environment,
 * country, datacenter, cpus, memory, virtual, nested os facts, tags and the
 * index itself, so filters of every kind select different subsets.
 */
export function simNode(prefix: string, index: number): SimNodeSpec {
  const role = pick(roles, index);
  const country = pick(countries, Math.floor(index / 5));
  const os = pick(families, Math.floor(index / 3));
  const cpus = pick(cpuCounts, Math.floor(index / 7));
  const facts: Facts = {
    role,
    environment: index % 10 === 0 ? 'staging' : 'production',
    country,
    datacenter: `${country}-dc${index % 3}`,
    cpus,
    memory_gb: cpus * 4,
    virtual: index % 4 !== 0,
    os: { family: os.family, release: os.release },
    tags: index % 2 === 0 ? ['prod', role] : [role],
    index,
  };
  const classes = ['base', role, ...(index % 6 === 0 ? ['monitoring'] : [])];
  return { identity: simIdentity(prefix, index), facts, classes };
}
