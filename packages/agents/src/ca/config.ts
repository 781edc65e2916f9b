import { item } from '@cohort/core';

/**
 * `ca:` section of the server configuration: the certificate authority the
 * `ca` agent drives on CA/master nodes. `openssl` is a built-in CA kept in
 * `dir` and driven by the openssl command; `puppet` is Puppet's CA, driven by
 * `puppetserver ca`. The agent is loaded only where `enabled` is true and
 * the backend's command is present.
 */
export const caSection = {
  enabled: item<boolean>({
    default: false,
    doc: 'host the ca agent on this node (set it on CA/master nodes only: the provisioner treats every node hosting ca as a CA)',
    schema: { type: 'boolean' },
    expect: 'true or false',
  }),
  backend: item<'openssl' | 'puppet'>({
    default: 'openssl',
    doc: 'which CA signs: openssl (a CA directory driven by the openssl command) or puppet (puppetserver ca)',
    schema: { type: 'string', enum: ['openssl', 'puppet'] },
    expect: 'openssl or puppet',
  }),
  dir: item<string>({
    default: '/var/lib/cohort/ca',
    doc: 'directory of the openssl CA (key, certificate, issued certificates and their index)',
    schema: { type: 'string', minLength: 1 },
    expect: 'a directory path',
    path: true,
  }),
  init: item<boolean>({
    default: true,
    doc: 'create the openssl CA (private key and self-signed certificate) in dir on first use when there is none',
    schema: { type: 'boolean' },
    expect: 'true or false',
  }),
  days: item<number>({
    default: 365,
    doc: 'lifetime in days of the certificates the openssl CA issues (its own certificate lasts ten times longer)',
    schema: { type: 'integer', minimum: 1, maximum: 36500 },
    expect: 'a whole number of days from 1 to 36500',
  }),
  openssl_command: item<string>({
    default: 'openssl',
    doc: 'the openssl command (a name looked up on PATH, or a path) used by the openssl backend',
    schema: { type: 'string', minLength: 1 },
    expect: 'a command name or path',
  }),
  puppetserver_command: item<string>({
    default: 'puppetserver',
    doc: 'the puppetserver command (a name looked up on PATH, or a path) used by the puppet backend',
    schema: { type: 'string', minLength: 1 },
    expect: 'a command name or path',
  }),
  puppetserver_config: item<string | null>({
    default: null,
    doc: "puppet.conf of the Puppet server, passed to puppetserver ca as --config; null for the server's default",
    schema: { type: ['string', 'null'], minLength: 1 },
    expect: 'a file path or null',
    path: true,
  }),
} as const;
