/**
 * Guard rails: which Puppet types puppetral may change or read on this node
 * (node config `puppetral.manage` and `puppetral.read_only`). Pure decisions,
 * so they are tested without Puppet.
 */

/** What a request wants to do with a type: `change` (do/create) or `read` (find/search). */
export type Access = 'change' | 'read';

/** The two allow lists; `*` in a list stands for every type. */
export interface GuardRails {
  readonly manage: readonly string[];
  readonly readOnly: readonly string[];
}

function listed(list: readonly string[], type: string): boolean {
  return list.includes(type) || list.includes('*');
}

/**
 * Why `access` to `type` is refused, naming the setting to change, or
 * undefined when it is allowed. A type may be changed when it is in `manage`
 * and not in `read_only` (read_only wins); it may be read when it is in either.
 */
export function refusal(type: string, access: Access, rails: GuardRails): string | undefined {
  const managed = listed(rails.manage, type);
  const readOnly = listed(rails.readOnly, type);
  if (access === 'read') {
    if (managed || readOnly) return undefined;
    return `puppetral may not read '${type}' resources on this node: add '${type}' to puppetral.read_only (or puppetral.manage) in its cohortd config`;
  }
  if (readOnly) {
    const how = rails.readOnly.includes(type) ? `remove '${type}' from puppetral.read_only` : `list the types in puppetral.read_only instead of '*'`;
    return `puppetral may only read '${type}' resources on this node (puppetral.read_only): ${how}${managed ? '' : ` and add it to puppetral.manage`} in its cohortd config to allow changes`;
  }
  if (managed) return undefined;
  return `puppetral may not change '${type}' resources on this node: add '${type}' to puppetral.manage in its cohortd config`;
}
