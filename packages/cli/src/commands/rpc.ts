import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { fleetOptions, groups, timeoutOption } from '../options.js';
import { jobRetentionOptions } from './job-options.js';

export const command = 'rpc <agent> <action> [inputs..]';
export const describe = 'Call an agent action on every matching node and show the replies';

export function builder(y: Argv<object>): Argv<object> {
  return fleetOptions(y, (o) => jobRetentionOptions(timeoutOption(o, 'Seconds to wait for replies (default: the DDL timeout + 2)')))
    .positional('agent', { type: 'string', describe: 'Agent to call, e.g. rpcutil' })
    .positional('action', { type: 'string', describe: 'Action of the agent, e.g. get_fact' })
    .positional('inputs', { type: 'string', array: true, describe: 'Inputs as key=value; values are converted to the DDL input types' })
    .option('display', {
      type: 'string',
      choices: ['ok', 'failed', 'all', 'always', 'none'],
      group: groups.output,
      describe: 'Which replies to print (default: the action\'s DDL display policy)',
    })
    .option('batch', { type: 'string', requiresArg: true, group: groups.request, describe: 'Send to N nodes (or N% of those discovered) at a time' })
    .option('batch-sleep', { type: 'string', requiresArg: true, group: groups.request, describe: 'Seconds to sleep between batches (default 1)' })
    .option('limit', { alias: ['ln', 'limit-nodes'], type: 'string', requiresArg: true, group: groups.request, describe: 'Only address N (or N%) of the discovered nodes' })
    .option('limit-seed', { type: 'number', requiresArg: true, group: groups.request, describe: 'Pick the --limit subset pseudo-randomly from this seed (same seed, same nodes)' })
    .option('one', { alias: '1', type: 'boolean', group: groups.request, describe: 'Address just one node (= --limit 1)' })
    .option('ttl', { type: 'number', requiresArg: true, group: groups.request, describe: 'Seconds the request stays valid (default 60)' })
    .option('async', { type: 'boolean', group: groups.request, describe: 'Send as a job: print its id at once and exit; the NATS server keeps the replies (cohort job show|watch|list)' })
    .example('$0 rpc rpcutil ping', 'Ping every node through the rpcutil agent')
    .example('$0 rpc rpcutil get_fact fact=os.family -F role=web', 'Read a fact from the web servers; prints a summary of the values')
    .example('$0 rpc rpcutil inventory -I web1 --json', 'One node, JSON output')
    .example('$0 rpc rpcutil ping --batch 10% --batch-sleep 2', 'Roll through the fleet a tenth at a time')
    .example('$0 rpc rpcutil ping -F role=db --json | $0 rpc rpcutil get_fact fact=cpus --nodes -', 'Chain: reuse the nodes that answered a previous call')
    .example('$0 rpc rpcutil get_fact fact=os.family --async', 'Send as a job and exit; read the replies later with cohort job show ID')
    .epilog(
      'Inputs are given as key=value after the action (e.g. fact=os.family). Each value is converted to the type the ' +
        "agent's DDL declares (integer, boolean, hash/array as JSON, ...) and validated before anything is sent; invalid " +
        'input exits 2 naming the input. See an agent\'s actions and inputs with: cohort plugin doc AGENT\n\n' +
        'Exit codes: 0 all nodes replied OK, 1 some failed or did not reply, 2 bad usage or input, 3 no node matched, 4 NATS unreachable.',
    );
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runRpc } = await import('../run/rpc.js');
  return runRpc(argv, io);
}
