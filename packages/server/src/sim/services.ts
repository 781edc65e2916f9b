import type { ServiceEntry, ServiceHealth } from '@cohort/core';
import type { NodeOffer } from '../registration/record.js';

/**
 * Simulated services (cohort-sim --services), for the DNS benchmark and
 * anything else that reads service records from a big fleet. Deterministic
 * from the node index (the same as simNode's role and environment):
 *
 *   address    10.<index>>16 & 255>.<index>>8 & 255>.<index & 255>
 *   every node node-exporter:9100, tags [metrics]
 *   web        http:80, tags [v1|v2|v3, production|staging]; https:443, tags [tls]
 *   db         postgres:5432, tags [primary] (index % 10 == 1) or [replica]
 *   cache      redis:6379, tags [shard0..shard3]
 *   queue      rabbitmq:5672, tags [amqp]
 *   worker     (node-exporter only)
 *
 * The role's service is critical on every 50th node and warning on every
 * other 20th (health_source `check:sim`); every other service is passing
 * with health_source `none`.
 */
const roles = ['web', 'db', 'cache', 'queue', 'worker'] as const;

export function simAddress(index: number): string {
  return `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
}

export function simServices(index: number, since: number): ServiceEntry[] {
  const role = roles[index % roles.length];
  const env = index % 10 === 0 ? 'staging' : 'production';
  const health: ServiceHealth = index % 50 === 0 ? 'critical' : index % 20 === 0 ? 'warning' : 'passing';
  const roleEntry = (name: string, port: number, tags: string[]): ServiceEntry => ({
    name,
    port,
    tags,
    health,
    health_source: health === 'passing' ? 'none' : 'check:sim',
    ...(health === 'passing' ? {} : { output: `simulated ${health}` }),
    since,
  });
  const plain = (name: string, port: number, tags: string[]): ServiceEntry => ({ name, port, tags, health: 'passing', health_source: 'none', since });
  const out: ServiceEntry[] = [];
  if (role === 'web') out.push(roleEntry('http', 80, [`v${(index % 3) + 1}`, env]), plain('https', 443, ['tls']));
  if (role === 'db') out.push(roleEntry('postgres', 5432, [index % 10 === 1 ? 'primary' : 'replica']));
  if (role === 'cache') out.push(roleEntry('redis', 6379, [`shard${index % 4}`]));
  if (role === 'queue') out.push(roleEntry('rabbitmq', 5672, ['amqp']));
  out.push(plain('node-exporter', 9100, ['metrics']));
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** What a simulated node offers: its address and services (fixed for its lifetime). */
export function simOffer(index: number, since: number): NodeOffer {
  return { address: simAddress(index), services: simServices(index, since) };
}
