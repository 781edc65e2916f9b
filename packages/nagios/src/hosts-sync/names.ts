import { createHash } from 'node:crypto';

/**
 * Names in the generated files: Nagios object names (host, template and
 * hostgroup names) and the file names derived from node identities.
 */

/**
 * Characters a Nagios object name must not contain: Nagios' default
 * `illegal_object_name_chars` (`~!$%^&*|'"<>?,()=`), whitespace, `;` (starts
 * a comment in object files), `#` and `\`.
 */
const illegalObjectChars = /[\s`~!$%^&*|'"<>?,()=;#\\]/;

/** Why `name` cannot be a Nagios object name, or undefined when it can. */
export function objectNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > 255) return 'it is longer than 255 characters';
  const bad = illegalObjectChars.exec(name);
  if (bad) return `it contains ${JSON.stringify(bad[0])}, which Nagios does not accept in object names`;
  return undefined;
}

/** An address Nagios can use as is: a hostname or an IPv4/IPv6 literal (zone ids allowed). */
const addressPattern = /^[A-Za-z0-9._:%-]{1,255}$/;

export function isUsableAddress(value: string): boolean {
  return addressPattern.test(value);
}

/** File names the tool keeps for itself (never derived from an identity: those start with a letter or digit). */
export const hostgroupsFileName = '_cohort-hostgroups.cfg';

const safeFileName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * The file a node's host definition goes to: `<identity>.cfg` when the
 * identity is a safe file name (letters, digits, `.`, `_`, `-`, starting with
 * a letter or digit, not `..`-like), else the identity with every other
 * character replaced by `_` plus 10 hex digits of its SHA-256, so distinct
 * identities never share a file and nothing can name a path outside the
 * directory.
 */
export function hostFileName(identity: string): string {
  if (safeFileName.test(identity) && !identity.includes('..')) return `${identity}.cfg`;
  const base = identity.replace(/[^A-Za-z0-9._-]/g, '_').replace(/\.{2,}/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 150);
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 10);
  return `${base === '' ? 'node' : base}-${hash}.cfg`;
}
