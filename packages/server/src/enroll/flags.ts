/** One flag of `cohortd enroll` / `cohortd enroll-token`, declared once: parsing and --help come from it. */
export interface EnrollFlag {
  readonly value?: string;
  readonly multiple?: boolean;
  readonly describe: string;
}

export const enrollFlags = {
  'provisioner-token': { value: 'T', describe: 'the enrollment token (cohortd enroll-token prints it); @FILE reads it from FILE, - from stdin' },
  config: { value: 'FILE', describe: 'node config to write or update (default: $COHORTD_CONFIG, else /etc/cohort/server.yaml)' },
  nats: { value: 'URL', multiple: true, describe: "NATS URL instead of the token's; repeat or comma-separate" },
  identity: { value: 'NAME', describe: "this node's name (default: the host name, as cohortd)" },
  facts: { value: 'FILE', multiple: true, describe: 'facts file(s) (YAML/JSON) the provisioner chooses a master by (region, country...); repeatable' },
  'provisioner-key': { value: 'FILE', describe: "the provisioner's public key: refuse a token signed by any other key" },
  'environment-file': { value: 'FILE', describe: "where the token's secrets go, mode 0600 (default /etc/default/cohortd, the unit's EnvironmentFile)" },
  timeout: { value: 'SECONDS', describe: 'how long to try reaching NATS (default 10)' },
  'dry-run': { describe: 'check everything and print the config; write nothing' },
  help: { describe: 'show this help' },
} as const satisfies Record<string, EnrollFlag>;

export const enrollTokenFlags = {
  key: { value: 'FILE', describe: "the provisioner's private key (e.g. provisioner=eu-1.key; with its .cert when certified): signs the token, and the node trusts its public half" },
  nats: { value: 'URL', multiple: true, describe: 'NATS URL(s) fresh nodes connect to; repeat or comma-separate (required)' },
  ca: { value: 'FILE', describe: "PEM of the CA that signed the NATS servers' certificates (for tls:// URLs)" },
  'nats-user': { value: 'USER', describe: 'bootstrap NATS user (one that may use only the provisioning collective)' },
  'nats-password': { value: 'PASSWORD', describe: 'its password (default: $COHORT_NATS_PASSWORD)' },
  token: { value: 'SECRET', describe: "provisioning.token: the extra secret provision actions carry (default: $COHORT_PROVISIONING_TOKEN, else none)" },
  ttl: { value: 'SECONDS', describe: 'how long the token may be used (default 604800: 7 days)' },
  help: { describe: 'show this help' },
} as const satisfies Record<string, EnrollFlag>;

/** The table as util.parseArgs options. */
export function parseArgsOptions(table: Record<string, EnrollFlag>): Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> {
  return Object.fromEntries(Object.entries(table).map(([name, f]) => [name, { type: f.value ? ('string' as const) : ('boolean' as const), ...(f.multiple ? { multiple: true } : {}) }]));
}

/** The flag list of --help. */
export function describeFlags(table: Record<string, EnrollFlag>): string {
  const rows = Object.entries(table).map(([name, f]) => [`  --${name}${f.value ? ` ${f.value}` : ''}`, f.describe] as const);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, d]) => `${l.padEnd(width)}${d}`).join('\n');
}
