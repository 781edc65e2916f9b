import { isIP } from 'node:net';
import { item } from '../spec.js';

/**
 * `services:` in the server configuration: what this node offers, by name
 * (docs/service-discovery.md, "Services on the node"):
 *
 *   services:
 *     redis: { port: 6379, tags: [primary], health: { check: redis_ping } }
 *     web:   { port: 443, tags: [tls], health: { http: 'https://127.0.0.1/health', interval: 10s, timeout: 2s } }
 *     ssh:   { port: 22, health: { tcp: '127.0.0.1:22' } }
 *
 * `services_dir` adds a drop-in directory of YAML files of the same shape.
 * Both are re-read when they change, without a restart. A bad service is
 * logged (naming the service and the setting) and left out; the others stay.
 */
export const servicesItem = item<Readonly<Record<string, unknown>>>({
  default: {},
  doc: 'services: name -> { port, tags, health: { check: NAME } | { tcp: HOST:PORT | http: URL, interval, timeout } }; published in the registry record; re-read live; a bad service is logged and left out (docs/service-discovery.md)',
  // Only the outer shape: one bad service must not stop the daemon or the other services (parseServiceDefinitions reports it).
  schema: { type: 'object', propertyNames: { minLength: 1 } },
  expect: 'a map of service names to settings',
});

export const servicesDirItem = item<string | null>({
  default: null,
  doc: 'drop-in directory of YAML files of services (same shape as services:), picked up when they change',
  schema: { type: ['string', 'null'], minLength: 1 },
  expect: 'a directory path or null',
  path: true,
});

export const advertiseAddressItem = item<string | null>({
  default: null,
  doc: 'the IPv4 or IPv6 address others reach this node at (registry record, DNS answers); default: the first of the facts networking.ip, ipaddress, networking.ip6, ipaddress6 holding an address',
  schema: { type: ['string', 'null'], minLength: 1, maxLength: 64 },
  expect: 'an IPv4 or IPv6 address, or null',
  env: 'COHORT_ADVERTISE_ADDRESS',
  check: (v) => (v === null || isIP(v) !== 0 ? undefined : `must be an IPv4 or IPv6 address such as 192.0.2.10 or 2001:db8::10 (got '${v}')`),
});
