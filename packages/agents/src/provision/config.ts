import { item } from '@cohort/core';

/**
 * `provisioning:` section of the server configuration. A bootstrap config
 * sets `enabled: true`: the node then joins only the `provisioning`
 * collective, hosts only `rpcutil` and `provision`, and reports the fact
 * `cohort.provisioned=false` until a provisioner writes its final config
 * (provision configure) and restarts it (provision restart). Every path is
 * configurable so tests and unusual layouts never touch the real files.
 */
export const provisioningSection = {
  enabled: item<boolean>({
    default: false,
    doc: 'run in provisioning mode: collective `provisioning`, agents rpcutil and provision only, fact cohort.provisioned=false',
    schema: { type: 'boolean' },
    expect: 'true or false',
    env: 'COHORT_PROVISIONING',
  }),
  provisioners: item<readonly string[]>({
    default: [],
    doc: 'caller ids that may call the provision agent (their keys trusted by security.trusted_keys_dir or security.issuers); empty: any trusted caller',
    schema: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^[^=\\s]+=\\S+$' } },
    expect: 'a list of caller ids such as provisioner=eu-1',
  }),
  allow_unsigned: item<boolean>({
    default: false,
    doc: 'let the provision agent act on unsigned requests (security.mode: unsigned): anyone on the bus could then drive the node; labs only',
    schema: { type: 'boolean' },
    expect: 'true or false',
  }),
  token: item<string | null>({
    default: null,
    doc: 'when set, every provision action must also carry input token=<this> (a shared secret: the provisioner\'s signature is what protects the node)',
    schema: { type: ['string', 'null'], minLength: 1, maxLength: 256 },
    expect: 'a string of 1 to 256 characters or null',
    env: 'COHORT_PROVISIONING_TOKEN',
  }),
  ssl_dir: item<string>({
    default: '/var/lib/cohort/ssl',
    doc: 'directory for the private key (mode 0600, never sent), the CSR, the signed certificate and the CA',
    schema: { type: 'string', minLength: 1 },
    expect: 'a directory path',
    path: true,
  }),
  state_dir: item<string | null>({
    default: null,
    doc: 'directory for the provisioning lock and state (survives restarts); null: ssl_dir',
    schema: { type: ['string', 'null'], minLength: 1 },
    expect: 'a directory path or null',
    path: true,
  }),
  hosts_file: item<string>({
    default: '/etc/hosts',
    doc: 'hosts file where set_master writes "<ip> <host> puppet  # cohort-provision"',
    schema: { type: 'string', minLength: 1 },
    expect: 'a file path',
    path: true,
  }),
  puppet_conf: item<string>({
    default: '/etc/puppet/puppet.conf',
    doc: 'puppet.conf where set_master sets server (and masterport) in [main]',
    schema: { type: 'string', minLength: 1 },
    expect: 'a file path',
    path: true,
  }),
  puppet_command: item<string>({
    default: 'puppet',
    doc: 'the puppet command run_puppet runs (PATH or a path)',
    schema: { type: 'string', minLength: 1 },
    expect: 'a command name or path',
  }),
  openssl_command: item<string>({
    default: 'openssl',
    doc: 'the openssl command used for keys, CSRs and certificate checks (PATH or a path)',
    schema: { type: 'string', minLength: 1 },
    expect: 'a command name or path',
  }),
  restart_timeout: item<number>({
    default: 60,
    doc: 'seconds a provision restart waits for the new config to reach NATS before falling back to the bootstrap config',
    schema: { type: 'integer', minimum: 1, maximum: 3600 },
    expect: 'a whole number of seconds from 1 to 3600',
  }),
  key_type: item<'rsa' | 'ec'>({
    default: 'rsa',
    doc: 'private key gencsr creates when none exists: rsa (2048 bits) or ec (P-256)',
    schema: { type: 'string', enum: ['rsa', 'ec'] },
    expect: "'rsa' or 'ec'",
  }),
} as const;
