import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { fleetOptions, groups, timeoutOption } from '../options.js';
import { jobRetentionOptions } from './job-options.js';

export const command = 'rpc [agent] [action] [inputs..]';
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
    .option('record', { type: 'boolean', group: groups.request, describe: 'Send as a job but wait and print the replies as usual: the job is kept, so cohort job show and --retry work on it later' })
    .option('retry', { type: 'string', requiresArg: true, group: groups.request, describe: 'Repeat job JOBID (sent with --async or --record) on its nodes that failed or did not reply, as a new job linked to it' })
    .option('failed', { type: 'boolean', group: groups.request, describe: 'With --retry: only the nodes that replied with a failure' })
    .option('no-response', { type: 'boolean', group: groups.request, describe: 'With --retry: only the nodes that did not reply' })
    .option('filter-replies', {
      type: 'string',
      requiresArg: true,
      group: groups.output,
      describe:
        "Keep only replies for which EXPR holds: statuscode, sender, statusmsg, data.OUTPUT compared with == != < > <= >= =~ /re/, joined by and/or/not, e.g. 'data.exitcode > 0'. " +
        'A missing output or a value of another type makes a comparison false. Summaries and the exit code describe the kept replies (docs/reply-filters.md)',
    })
    .option('senders', { type: 'boolean', group: groups.output, describe: 'Print only the identities of the (kept) replies, one per line: pipe into --nodes -' })
    .option('table', { type: 'boolean', group: groups.output, describe: 'One row per node, one column per output (DDL order), cut to the terminal width (120 columns in a pipe)' })
    .option('jsonl', { type: 'boolean', group: groups.output, describe: 'One JSON object per reply as it arrives, then one {"stats": ...} object (streams through pipes)' })
    .example('$0 rpc rpcutil ping', 'Ping every node through the rpcutil agent')
    .example('$0 rpc rpcutil get_fact fact=os.family -F role=web', 'Read a fact from the web servers; prints a summary of the values')
    .example('$0 rpc rpcutil inventory -I web1 --json', 'One node, JSON output')
    .example('$0 rpc rpcutil ping --batch 10% --batch-sleep 2', 'Roll through the fleet a tenth at a time')
    .example('$0 rpc rpcutil ping -F role=db --json | $0 rpc rpcutil get_fact fact=cpus --nodes -', 'Chain: reuse the nodes that answered a previous call')
    .example('$0 rpc rpcutil get_fact fact=os.family --async', 'Send as a job and exit; read the replies later with cohort job show ID')
    .example("$0 rpc nrpe runcommand command=check_disk --filter-replies 'data.exitcode == 2' --senders | $0 rpc puppetral do type=service name=foo ensure=running --nodes -", 'Act on the nodes whose replies matched')
    .example("$0 rpc rpcutil get_fact fact=os.release --filter-replies 'data.value =~ /^12\\./' --table", 'The matching replies as a table')
    .example('$0 rpc echo sleep seconds=1 --jsonl | jq -c .', 'One JSON line per reply as it arrives, then the stats')
    .example('$0 rpc puppetral do type=package name=tree ensure=present --record', 'Wait for the replies, and keep the job for job show and --retry')
    .example('$0 rpc --retry JOBID --no-response', 'Send job JOBID again to the nodes that did not answer it')
    .epilog(
      'Inputs are given as key=value after the action (e.g. fact=os.family). Each value is converted to the type the ' +
        "agent's DDL declares (integer, boolean, hash/array as JSON, ...) and validated before anything is sent; invalid " +
        'input exits 2 naming the input. See an agent\'s actions and inputs with: cohort plugin doc AGENT\n\n' +
        'Output: text by default; --json (one document), --jsonl (a line per reply, then the stats), --table, or --senders; ' +
        '--filter-replies applies to all of them, and the output says how many replies it filtered out.\n\n' +
        'Recorded calls: --async and --record store the job (and its replies) in the NATS server\'s job stream; --retry JOBID ' +
        'sends the same agent, action and inputs again to the nodes of that job that failed and/or did not reply (--failed, --no-response; both by default).\n\n' +
        'Exit codes: 0 all nodes replied OK, 1 some failed or did not reply, 2 bad usage or input, 3 no node matched, 4 NATS unreachable. ' +
        'With --filter-replies, a failed reply that was filtered out does not count; a node that did not reply still does.',
    );
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runRpc } = await import('../run/rpc.js');
  return runRpc(argv, io);
}
