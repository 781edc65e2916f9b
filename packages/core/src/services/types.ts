/**
 * Service discovery (issue 18): what a node offers, carried in its signed
 * registry record, and how readers (`cohort dns`, templates, `cohort nagios
 * hosts`) name things. Types and pure helpers only; no I/O.
 */

/** A service's health as its node sees it: from a node-side check, a built-in TCP/HTTP probe, or none (passing). */
export type ServiceHealth = 'passing' | 'warning' | 'critical' | 'unknown';
export const serviceHealths: readonly ServiceHealth[] = Object.freeze(['passing', 'warning', 'critical', 'unknown']);

/** One service in a node's registry record. */
export interface ServiceEntry {
  /** DNS label: lower-case letters, digits and '-', at most 63. */
  name: string;
  port: number;
  /** DNS labels too (a tag narrows an answer: `<tag>.<service>.service...`). */
  tags: string[];
  health: ServiceHealth;
  /** What decides the health: `check:<name>`, `tcp:<host:port>`, `http:<url>`, or `none`. */
  health_source: string;
  /** The last probe's or check's output, short. */
  output?: string;
  /** Unix ms since the health has been what it is. */
  since: number;
}

/** Service names and tags: one DNS label each. */
export const serviceLabelPattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Is a service offered in answers? Passing or warning (as Consul); critical and unknown are not. */
export function isServiceOffered(health: ServiceHealth): boolean {
  return health === 'passing' || health === 'warning';
}
