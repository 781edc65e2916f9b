import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import yaml from 'js-yaml';
import { ConfigError, errorMessage } from '@cohort/core';
import { hashProblem } from './password.js';

/**
 * The users file (users.yaml): who may log in to the console, with what
 * role, which key signs their requests, and optionally which agent actions
 * they may run.
 *
 * ```yaml
 * users:
 *   alice:
 *     role: admin
 *     password: scrypt$15$8$1$...
 *     key: keys/alice.key          # relative to this file; alice.cert beside it
 *     allow: [rpcutil.*, nrpe.runcommand]
 *   bob:
 *     role: watcher
 *     password: scrypt$15$8$1$...
 * ```
 */

export type Role = 'admin' | 'watcher';

export interface WebUser {
  name: string;
  role: Role;
  /** scrypt hash (see password.ts). */
  password: string;
  /** Private key signing this user's requests (absolute path), when set. */
  key?: string;
  /** Certificate for the key; default the .cert beside it. */
  certificate?: string;
  /** `agent.action` or `agent.*` patterns this user may run; absent = every action. */
  allow?: string[];
}

export const userKeys = ['role', 'password', 'key', 'certificate', 'allow'] as const;

const namePattern = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
const allowPattern = /^[a-z0-9_]+\.(\*|[a-z0-9_]+)$/;

/** Why `name` cannot be a user name, or undefined. */
export function userNameProblem(name: string): string | undefined {
  return namePattern.test(name) ? undefined : `user name '${name}' is not valid: 1–64 letters, digits, _ . @ -, starting with a letter or digit`;
}

/** Parse one allow-list entry list (`rpcutil.*,nrpe.runcommand`); throws naming the bad entry. */
export function parseAllow(entries: readonly string[], where: string): string[] {
  const out: string[] = [];
  for (const raw of entries) {
    const e = raw.trim();
    if (e === '') continue;
    if (!allowPattern.test(e)) throw new ConfigError(`${where}: '${e}' is not agent.action or agent.* (e.g. rpcutil.*, nrpe.runcommand)`);
    out.push(e);
  }
  return out;
}

/** True when `allow` (undefined: everything) lets the user run agent.action. */
export function allowed(allow: readonly string[] | undefined, agent: string, action: string): boolean {
  if (allow === undefined) return true;
  return allow.some((a) => a === `${agent}.*` || a === `${agent}.${action}`);
}

/** Parse the YAML text of a users file; relative key paths resolve against `file`'s directory. Throws ConfigError naming the key. */
export function parseUsers(text: string, file: string): Map<string, WebUser> {
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (err) {
    throw new ConfigError(`users file ${file} is not valid YAML: ${errorMessage(err)}`, { cause: err });
  }
  const users = new Map<string, WebUser>();
  if (doc === undefined || doc === null) return users;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`users file ${file} must be a mapping with a 'users' key`);
  for (const key of Object.keys(doc)) if (key !== 'users') throw new ConfigError(`users file ${file}: unknown key '${key}'; the file has one key, users`);
  const list = (doc as { users?: unknown }).users;
  if (list === undefined || list === null) return users;
  if (typeof list !== 'object' || Array.isArray(list)) throw new ConfigError(`users file ${file}: 'users' must map user names to { role, password, key?, allow? }`);
  const base = dirname(resolve(file));
  for (const [name, entry] of Object.entries(list as Record<string, unknown>)) {
    const at = `users file ${file}: users.${name}`;
    const nameBad = userNameProblem(name);
    if (nameBad) throw new ConfigError(`${at}: ${nameBad}`);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new ConfigError(`${at} must be a mapping { role, password, key?, allow? }`);
    const e = entry as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!(userKeys as readonly string[]).includes(k)) throw new ConfigError(`${at}: unknown key '${k}'; valid keys: ${userKeys.join(', ')}`);
    if (e['role'] !== 'admin' && e['role'] !== 'watcher') throw new ConfigError(`${at}.role must be admin or watcher, not ${JSON.stringify(e['role'])}`);
    if (typeof e['password'] !== 'string') throw new ConfigError(`${at}.password is missing: set it with cohort web passwd ${name}`);
    const bad = hashProblem(e['password']);
    if (bad) throw new ConfigError(`${at}.password ${bad}`);
    const user: WebUser = { name, role: e['role'], password: e['password'] };
    for (const k of ['key', 'certificate'] as const) {
      const v = e[k];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string' || v === '') throw new ConfigError(`${at}.${k} must be a file path`);
      user[k] = isAbsolute(v) ? v : resolve(base, v);
    }
    if (e['allow'] !== undefined && e['allow'] !== null) {
      const a = e['allow'];
      const entries = typeof a === 'string' ? a.split(',') : Array.isArray(a) && a.every((x) => typeof x === 'string') ? (a as string[]) : undefined;
      if (entries === undefined) throw new ConfigError(`${at}.allow must be a list of agent.action or agent.* entries`);
      user.allow = parseAllow(entries, `${at}.allow`);
    }
    users.set(name, user);
  }
  return users;
}

/** Read the users file; a missing file is an empty user list. */
export function readUsers(file: string): Map<string, WebUser> {
  if (!existsSync(file)) return new Map();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read users file ${file}: ${errorMessage(err)}`, { cause: err });
  }
  return parseUsers(text, file);
}

/** The YAML text of `users` (key paths as given: absolute). */
export function formatUsers(users: ReadonlyMap<string, WebUser>): string {
  const out: Record<string, Record<string, unknown>> = {};
  for (const u of [...users.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    out[u.name] = {
      role: u.role,
      password: u.password,
      ...(u.key !== undefined ? { key: u.key } : {}),
      ...(u.certificate !== undefined ? { certificate: u.certificate } : {}),
      ...(u.allow !== undefined ? { allow: u.allow } : {}),
    };
  }
  return `# Users of the Cohort web console (cohort web useradd/userdel/passwd). Password hashes: scrypt.\n${yaml.dump({ users: out }, { lineWidth: 200 })}`;
}

/** Write the users file atomically, mode 0600 (it holds password hashes). */
export function writeUsers(file: string, users: ReadonlyMap<string, WebUser>): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, formatUsers(users), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
