import { item } from '@cohort/core';

/**
 * `nrpe:` section of the server configuration: where the nrpe agent finds the
 * NRPE command definitions (`command[name]=...`) and whether callers may pass
 * `$ARGn$` arguments.
 */
export const nrpeSection = {
  conf_file: item<string | null>({
    default: '/etc/nagios/nrpe.cfg',
    doc: 'NRPE configuration file read for command[...] definitions, following its include and include_dir lines; null to skip',
    schema: { type: ['string', 'null'], minLength: 1 },
    expect: 'a file path or null',
    path: true,
  }),
  conf_dir: item<string | null>({
    default: '/etc/nagios/nrpe.d',
    doc: 'directory whose *.cfg files are read for command[...] definitions too (as NRPE include_dir); null to skip',
    schema: { type: ['string', 'null'], minLength: 1 },
    expect: 'a directory path or null',
    path: true,
  }),
  allow_arguments: item<boolean>({
    default: false,
    doc: "let callers fill $ARGn$ in commands from the request's args (also allowed by dont_blame_nrpe=1 in the NRPE configuration)",
    schema: { type: 'boolean' },
    expect: 'true or false',
  }),
} as const;
