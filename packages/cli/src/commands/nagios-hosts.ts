import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectionOptions, filterOptions, outputOptions } from '../options.js';

export const command = 'hosts';
export const describe = 'Write one Nagios host definition per registered node into a directory and keep it in sync';

const g = 'Nagios hosts:';

export function builder(y: Argv<object>): Argv<object> {
  return connectionOptions(outputOptions(filterOptions(y)))
    .option('dir', { type: 'string', requiresArg: true, group: g, describe: 'Directory of generated .cfg files (must exist; include it with cfg_dir=)' })
    .option('template', { type: 'string', requiresArg: true, group: g, describe: 'Host template every host uses (default generic-host)' })
    .option('template-by-class', { type: 'boolean', group: g, describe: 'Also use one template per class (<prefix><class>), before the default template' })
    .option('template-prefix', { type: 'string', requiresArg: true, group: g, describe: 'Prefix of the class templates (default none)' })
    .option('template-classes', { type: 'string', requiresArg: true, group: g, describe: 'With --template-by-class: only these classes become templates (repeatable or comma-separated)' })
    .option('hostgroups', { type: 'string', requiresArg: true, choices: ['define', 'reference', 'none'], group: g, describe: 'Hostgroups from classes: define them (in _cohort-hostgroups.cfg), reference only (defined elsewhere), or none (default define)' })
    .option('hostgroup-prefix', { type: 'string', requiresArg: true, group: g, describe: 'Prefix of the class hostgroup names (default none)' })
    .option('address-fact', { type: 'string', requiresArg: true, group: g, describe: "Fact holding a host's address when its record has none (default: the identity)" })
    .option('reload-command', { type: 'string', requiresArg: true, group: g, describe: 'Command run after each change, split into words like a shell (quotes) but run without one' })
    .option('debounce', { type: 'string', requiresArg: true, group: g, describe: 'Quiet time after a registry change before writing and reloading (default 2s)' })
    .option('recheck', { type: 'string', requiresArg: true, group: g, describe: 'How often records are checked for going stale (default 5s)' })
    .option('once', { type: 'boolean', group: g, describe: 'Write the directory once (and reload if it changed), then exit' })
    .example('$0 nagios hosts --dir /etc/nagios4/cohort --once', 'One host per registered node, now')
    .example('$0 nagios hosts --dir /etc/nagios4/cohort --template-by-class --template-classes web,db --reload-command "systemctl reload nagios4"', 'Follow the fleet; web and db nodes also use the templates web and db')
    .epilog(
      'Only registry records signed by the node they describe are used (trusted node keys: --issuer, or issuers / node_keys_dir in the ' +
        'client config); stale records count as gone. Each file starts with a marker line; only marked files of the same collective are ' +
        'ever overwritten or deleted. Files are written atomically and only when their content changes; the reload command runs once ' +
        'per change (after the debounce). Every template and hostgroup a host names must exist in Nagios. Stop with Ctrl-C (or SIGTERM). ' +
        'See docs/service-discovery.md.',
    );
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runNagiosHosts } = await import('../run/nagios-hosts.js');
  return runNagiosHosts(argv, io);
}
