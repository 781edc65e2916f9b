import { dirname, resolve } from 'node:path';
import { UsageError } from '@cohort/core';
import { addUser, changeUser, deleteUser, loadWebConfig, type Role } from '@cohort/web';
import { bool, str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';

/** The users file: --users, else users_file of --config, else users.yaml beside --config. */
function usersFile(argv: Args): string {
  const explicit = str(argv, 'users');
  if (explicit !== undefined) return resolve(explicit);
  const config = str(argv, 'config');
  if (config === undefined) throw new UsageError('say which users file: --users FILE, or --config web.yaml (its users_file, else users.yaml beside it)');
  return loadWebConfig(config).usersFile ?? resolve(dirname(config), 'users.yaml');
}

/** The password: the first line of standard input (never an argument, so it stays out of ps and shell history). */
async function readPassword(io: CliIo): Promise<string> {
  if (process.stdin.isTTY) io.stderr.write('Password (then Enter and Ctrl-D): ');
  const text = await io.readStdin();
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line.length === 0) throw new UsageError('no password on standard input: printf "%s\\n" "$PASSWORD" | cohort web useradd NAME ...');
  if (line.length < 8) throw new UsageError('the password is shorter than 8 characters');
  return line;
}

const allowOf = (argv: Args) => {
  const a = str(argv, 'allow');
  return a === undefined ? undefined : a.split(',');
};

export async function runWebUseradd(argv: Args, io: CliIo): Promise<Outcome> {
  const file = usersFile(argv);
  const name = str(argv, 'name') ?? '';
  const password = await readPassword(io);
  const key = str(argv, 'key');
  const allow = allowOf(argv);
  const user = await addUser(file, name, password, { role: str(argv, 'role') as Role, ...(key !== undefined ? { key } : {}), ...(allow ? { allow } : {}) });
  io.stderr.write(`added ${user.role} ${user.name} to ${file}${user.key ? `, signing with ${user.key}` : ' (no signing key: in signed mode they cannot run actions until given one with --key)'}\n`);
  return { kind: 'done' };
}

export async function runWebPasswd(argv: Args, io: CliIo): Promise<Outcome> {
  const file = usersFile(argv);
  const name = str(argv, 'name') ?? '';
  const password = bool(argv, 'keep-password') ? undefined : await readPassword(io);
  const key = str(argv, 'key');
  const role = str(argv, 'role') as Role | undefined;
  const allow = allowOf(argv);
  const user = await changeUser(file, name, password, { ...(role ? { role } : {}), ...(key !== undefined ? { key } : {}), ...(allow ? { allow } : {}), allowAll: bool(argv, 'allow-all') });
  io.stderr.write(`changed ${user.name} in ${file}${password !== undefined ? ' (new password: their sessions have ended)' : ''}\n`);
  return { kind: 'done' };
}

export async function runWebUserdel(argv: Args, io: CliIo): Promise<Outcome> {
  const file = usersFile(argv);
  const name = str(argv, 'name') ?? '';
  deleteUser(file, name);
  io.stderr.write(`removed ${name} from ${file}\n`);
  return { kind: 'done' };
}
