import { isAbsolute, normalize } from 'node:path';

/**
 * Guard rails for resource parameters: Puppet runs as root, so a parameter
 * is a privilege. Which parameters a request may give (per type), which it
 * may never give, which files `target=` may name, and no control characters
 * anywhere. Pure decisions, tested without Puppet; the puppetral agent asks
 * before the helper sees a request.
 */

/**
 * The parameters each well-known type may be given (its namevar included).
 * Types not listed here (exec, file's relatives, cron, ...: whoever adds them
 * to puppetral.manage chose to hand out root) get any parameter except the
 * {@link forbiddenParameters}.
 */
export const typeParameters: Readonly<Record<string, readonly string[]>> = {
  host: ['name', 'ensure', 'ip', 'host_aliases', 'comment', 'target'],
  mailalias: ['name', 'ensure', 'recipient', 'target'],
  user: ['name', 'ensure', 'uid', 'gid', 'groups', 'membership', 'comment', 'home', 'managehome', 'shell', 'password', 'password_min_age', 'password_max_age', 'password_warn_days', 'expiry', 'system'],
  group: ['name', 'ensure', 'gid', 'members', 'auth_membership', 'system'],
  package: ['name', 'ensure', 'mark', 'configfiles'],
  service: ['name', 'ensure', 'enable'],
  file: ['path', 'name', 'ensure', 'owner', 'group', 'mode', 'content'],
};

/**
 * Parameters refused for every type, with why: each one makes Puppet run a
 * command or read something the caller names, as root.
 */
export const forbiddenParameters: Readonly<Record<string, string>> = {
  provider: 'it chooses how Puppet acts (service provider=base runs any command given as start)',
  start: 'it is a command Puppet runs as root',
  stop: 'it is a command Puppet runs as root',
  status: 'it is a command Puppet runs as root',
  restart: 'it is a command Puppet runs as root',
  binary: 'it is a command Puppet runs as root',
  control: 'it names a command Puppet runs as root',
  pattern: 'it chooses which processes Puppet signals',
  source: 'it makes Puppet install or copy from a place the caller chooses',
  install_options: 'it passes options to the package tool running as root',
  uninstall_options: 'it passes options to the package tool running as root',
  responsefile: 'it feeds a file of the caller\'s choice to the package tool',
  adminfile: 'it feeds a file of the caller\'s choice to the package tool',
};

/** Parameters that name a file Puppet reads and writes: only files in puppetral.targets. */
const targetParameters = new Set(['target']);

/** Types whose `target` is a symlink's destination rather than the file Puppet edits. */
const targetIsSymlink = new Set(['file']);

/** C0 controls, DEL, C1 controls and the Unicode line and paragraph separators. */
const controlCharacter = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/** The same, except newline and tab: allowed only in a file's `content` (a file is text). */
const controlInText = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/u;

/** Values that are file contents, where lines are expected: `<type>.<parameter>`. */
const multiLine = new Set(['file.content']);

function describeControl(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const names: Record<number, string> = { 0: 'a NUL', 9: 'a tab', 10: 'a newline', 13: 'a carriage return', 27: 'an escape', 0x2028: 'a line separator' };
  return names[code] ? `${hex}, ${names[code]}` : hex;
}

/** The first control character in `value` (searched through arrays and hashes, keys included), or undefined. */
export function controlIn(value: unknown): string | undefined {
  if (typeof value === 'string') return controlCharacter.exec(value)?.[0];
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = controlIn(v);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const found = controlIn(k) ?? controlIn(v);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Mail alias recipients that run a command, append to a file, or include a file of recipients. */
function unsafeRecipient(value: unknown): string | undefined {
  const values = Array.isArray(value) ? value : [value];
  for (const v of values) {
    const text = String(v).trim().replace(/^"/, '');
    if (text.startsWith('|') || text.startsWith('/') || text.toLowerCase().startsWith(':include:')) return String(v);
  }
  return undefined;
}

/** A mail alias name as the aliases file can hold it: no `:`, blanks, `#`, quotes or commas. */
const aliasName = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** A package name as repositories know it (Debian's rules, an optional :arch): never a path to a local file. */
const packageName = /^[A-Za-z0-9][A-Za-z0-9+._-]*(:[A-Za-z0-9-]+)?$/;

/** The request as the guard sees it. */
export interface ParameterCall {
  readonly type: string;
  readonly title?: string | undefined;
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** `target` values allowed: absolute, normalised paths listed in puppetral.targets. */
function targetRefusal(type: string, value: unknown, targets: readonly string[]): string | undefined {
  const listed = targets.length > 0 ? targets.join(', ') : 'none';
  const fix = `add it to puppetral.targets in the node's cohortd config (now: ${listed})`;
  if (typeof value !== 'string' || value === '') return `puppetral refuses parameter 'target' for ${type} resources: it must be a file path; ${fix}`;
  if (!isAbsolute(value) || normalize(value) !== value || value.endsWith('/')) {
    return `puppetral refuses target='${value}' for ${type} resources: it must be an absolute path without '.', '..' or repeated '/'`;
  }
  if (!targets.includes(value)) return `puppetral refuses target='${value}' for ${type} resources: only files in puppetral.targets may be read or written; ${fix}`;
  return undefined;
}

/**
 * Why this call's title or parameters are refused on a node whose
 * puppetral.targets is `targets`, naming the offending parameter; undefined
 * when they may go to Puppet. Applies to reads (find/search) and changes alike.
 */
export function parameterRefusal(call: ParameterCall, targets: readonly string[]): string | undefined {
  const { type, title, parameters } = call;
  if (title !== undefined) {
    const c = controlIn(title);
    if (c !== undefined) return `puppetral refuses the title: it contains a control character (${describeControl(c)}); titles and values must be single-line text`;
  }
  const allowed = typeParameters[type];
  for (const [name, value] of Object.entries(parameters)) {
    const c = controlIn(name) ?? (multiLine.has(`${type}.${name}`) && typeof value === 'string' ? controlInText.exec(value)?.[0] : controlIn(value));
    if (c !== undefined) {
      return `puppetral refuses parameter '${name.replace(controlCharacter, '?')}': its value contains a control character (${describeControl(c)}); titles and values must be single-line text`;
    }
    const why = forbiddenParameters[name];
    if (why !== undefined) return `puppetral refuses parameter '${name}' for ${type} resources: ${why}; it is never allowed`;
    if (allowed !== undefined && !allowed.includes(name)) {
      return `puppetral does not allow parameter '${name}' for ${type} resources (allowed: ${allowed.join(', ')})`;
    }
    if (targetParameters.has(name) && !targetIsSymlink.has(type)) {
      const refused = targetRefusal(type, value, targets);
      if (refused !== undefined) return refused;
    }
  }
  const resourceName = title ?? (typeof parameters['name'] === 'string' ? parameters['name'] : undefined);
  if (type === 'package' && resourceName !== undefined && !packageName.test(resourceName)) {
    return `puppetral refuses package name '${resourceName}': give a package name from the configured repositories (a path would install a local file as root)`;
  }
  if (type === 'mailalias') {
    const name = resourceName;
    if (name !== undefined && !aliasName.test(name)) {
      return `puppetral refuses mail alias name '${name}': use letters, digits, '.', '_', '+' and '-' only`;
    }
    const recipient = parameters['recipient'] === undefined ? undefined : unsafeRecipient(parameters['recipient']);
    if (recipient !== undefined) {
      return `puppetral refuses parameter 'recipient' value '${recipient}': a recipient that pipes to a command, appends to a file or includes a file would act as the mail system; give mail addresses`;
    }
  }
  return undefined;
}
