import type { Argv } from 'yargs';

/** Options shared by `cohort web useradd` and `passwd`. */
export function webUserOptions(y: Argv<object>): Argv<object> {
  return y
    .positional('name', { type: 'string', describe: 'The user name (letters, digits, _ . @ -)' })
    .option('users', { type: 'string', requiresArg: true, describe: 'The users file (default: users_file of --config, else users.yaml beside it)' })
    .option('key', { type: 'string', requiresArg: true, describe: "The user's signing key (cohort keys generate; its .cert beside it from cohort keys sign): the console signs their requests with it" })
    .option('allow', { type: 'string', requiresArg: true, describe: 'Only these actions: agent.action or agent.*, comma-separated (e.g. rpcutil.*,nrpe.runcommand)' });
}
