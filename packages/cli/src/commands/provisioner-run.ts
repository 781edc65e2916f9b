import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { provisionerConnectionOptions } from './provisioner-options.js';

export const command = 'run';
export const describe = 'Run the provisioner: find nodes waiting in the provisioning collective and take each through the pipeline';

export function builder(y: Argv<object>): Argv<object> {
  return provisionerConnectionOptions(
    y
      .option('config', { type: 'string', requiresArg: true, demandOption: 'give the pipeline file: --config pipeline.yaml', describe: 'Pipeline file (YAML): steps, master criteria, final config template, notifiers' })
      .option('log-level', { type: 'string', choices: ['error', 'warn', 'info', 'debug'], default: 'info', describe: 'Log level (the log goes to stderr)' })
      .option('log-format', { type: 'string', choices: ['text', 'json'], default: 'text', describe: 'Log lines as text or JSON' }),
  )
    .example('$0 provisioner run --config /etc/cohort/pipeline.yaml', 'Run until SIGINT/SIGTERM (running steps finish, their nodes are released)')
    .example('COHORT_PROVISIONING_TOKEN=s3cret $0 provisioner run --config pipeline.yaml --nats nats://bus:4222', 'The nodes\' provisioning token from the environment')
    .example('$0 provisioner run --config pipeline.yaml --log-level debug --log-format json', 'Every step of every node, as JSON lines')
    .epilog('Several provisioners may run against the same NATS: a node is worked on by one at a time (a compare-and-set claim in the state bucket plus the node\'s own lock). A provisioner that dies leaves its nodes to the others once its lease (state.lease) runs out; they resume after the last completed step.');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runProvisioner } = await import('../run/provisioner-run.js');
  return runProvisioner(argv, io);
}
