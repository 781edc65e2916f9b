import { item } from '@cohort/core';

const typeNames = { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^(\\*|[a-z][a-z0-9_]*(::[a-z][a-z0-9_]*)*)$' } } as const;

/**
 * `puppetral:` section of the server configuration: the guard rails and the
 * Puppet the puppetral agent drives. A type is changeable by `do` when it is
 * in `manage` and not in `read_only`; readable by `find`/`search` when it is
 * in either. `*` stands for every type.
 */
export const puppetralSection = {
  manage: item<readonly string[]>({
    default: ['host', 'mailalias', 'user', 'group', 'package', 'service'],
    doc: 'Puppet types puppetral may change (do/create); * = all. user, group, package, host and exec/file/cron are root-equivalent (docs/security.md): add types deliberately',
    schema: typeNames,
    expect: 'a list of Puppet type names (host, user, ...) or *',
  }),
  read_only: item<readonly string[]>({
    default: ['file'],
    doc: 'Puppet types puppetral may only read (find/search), even if listed in manage; * = all',
    schema: typeNames,
    expect: 'a list of Puppet type names (file, ...) or *',
  }),
  targets: item<readonly string[]>({
    default: ['/etc/hosts', '/etc/aliases'],
    doc: 'the only files target= may name (host, mailalias, ... read and write them as root); absolute paths',
    schema: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^/' } },
    expect: 'a list of absolute file paths',
  }),
  puppet: item<string>({
    default: 'puppet',
    doc: "the puppet command (a name looked up on PATH, or a path); puppetral is not loaded when it is missing",
    schema: { type: 'string', minLength: 1 },
    expect: 'a command name or path',
  }),
  ruby: item<string | null>({
    default: null,
    doc: "Ruby that runs Puppet; default: the interpreter on the puppet command's #! line (or /opt/puppetlabs/puppet/bin/ruby)",
    schema: { type: ['string', 'null'], minLength: 1 },
    expect: 'a path to a ruby executable',
    path: true,
  }),
  settings: item<Readonly<Record<string, string | number | boolean>>>({
    default: {},
    doc: 'Puppet settings for the puppetral helper, as on the puppet command line (vardir: /var/lib/x -> --vardir=/var/lib/x)',
    schema: { type: 'object', propertyNames: { pattern: '^[a-z][a-z0-9_]*$' }, additionalProperties: { type: ['string', 'number', 'boolean'] } },
    expect: 'a mapping of Puppet setting names to values',
  }),
} as const;
