import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, loadSigner, errorMessage } from '@cohort/core';
import { hashPassword } from './password.js';
import { parseAllow, readUsers, userNameProblem, writeUsers, type Role, type WebUser } from './users.js';

/** `cohort web useradd|passwd|userdel`: edit the users file (the console re-reads it on change). */

export interface UserChange {
  role?: Role;
  /** Signing key file (its .cert beside it); checked to load. */
  key?: string;
  allow?: string[];
  /** Drop the allow-list (every action). */
  allowAll?: boolean;
}

function checkKey(key: string, cwd: string): string {
  const file = isAbsolute(key) ? key : resolve(cwd, key);
  if (!existsSync(file)) throw new ConfigError(`--key ${file} does not exist: make one with cohort keys generate NAME and certify it with cohort keys sign`);
  try {
    loadSigner({ kind: 'caller', keyFile: file });
  } catch (err) {
    throw new ConfigError(`--key ${file} cannot sign: ${errorMessage(err)}`, { cause: err });
  }
  return file;
}

/** Add a user; refuses an existing name. */
export async function addUser(file: string, name: string, password: string, change: UserChange & { role: Role }, cwd = process.cwd()): Promise<WebUser> {
  const bad = userNameProblem(name);
  if (bad) throw new ConfigError(bad);
  const users = readUsers(file);
  if (users.has(name)) throw new ConfigError(`web user ${name} already exists in ${file}: use cohort web passwd ${name}, or userdel first`);
  const user: WebUser = { name, role: change.role, password: await hashPassword(password) };
  if (change.key !== undefined) user.key = checkKey(change.key, cwd);
  if (change.allow !== undefined) user.allow = parseAllow(change.allow, '--allow');
  users.set(name, user);
  writeUsers(file, users);
  return user;
}

/** Change a user's password (when given), role, key or allow-list. */
export async function changeUser(file: string, name: string, password: string | undefined, change: UserChange, cwd = process.cwd()): Promise<WebUser> {
  const users = readUsers(file);
  const user = users.get(name);
  if (!user) throw new ConfigError(`no web user ${name} in ${file}: add one with cohort web useradd ${name} --role admin|watcher`);
  if (password !== undefined) user.password = await hashPassword(password);
  if (change.role !== undefined) user.role = change.role;
  if (change.key !== undefined) user.key = checkKey(change.key, cwd);
  if (change.allowAll) delete user.allow;
  else if (change.allow !== undefined) user.allow = parseAllow(change.allow, '--allow');
  writeUsers(file, users);
  return user;
}

export function deleteUser(file: string, name: string): void {
  const users = readUsers(file);
  if (!users.delete(name)) throw new ConfigError(`no web user ${name} in ${file}`);
  writeUsers(file, users);
}
