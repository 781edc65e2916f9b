import { AgentError } from '../errors.js';
import type { ProvisionSettings } from './settings.js';

/**
 * Who may drive a node in provisioning mode: only its provisioner. The
 * bootstrap config trusts the provisioner's key (security.mode: signed with
 * security.trusted_keys_dir or security.issuers), so every request that
 * reaches the agent was signed by a trusted key and its caller id is bound to
 * that key; `provisioning.provisioners` can narrow it to named callers. An
 * unsigned daemon would let anyone on the bus drive the node with a captured
 * token, so the agent then refuses everything unless
 * `provisioning.allow_unsigned` says this is a lab. Throws AgentError
 * (status 1) naming the setting to change.
 */
export function checkCaller(settings: ProvisionSettings, callerid: string): void {
  if (!settings.signed && !settings.allowUnsigned) {
    throw new AgentError(
      'this node accepts provision actions only when they are signed by its provisioner, but it runs with security.mode: unsigned (anyone on the bus could drive it); ' +
        "trust the provisioner's key in the bootstrap config (security.mode: signed and security.trusted_keys_dir or security.issuers, see examples/provisioning/bootstrap.yaml), " +
        'or set provisioning.allow_unsigned: true in a lab',
      1,
    );
  }
  if (settings.provisioners.length > 0 && !settings.provisioners.includes(callerid)) {
    throw new AgentError(`${callerid} is not a provisioner of this node (provisioning.provisioners: ${settings.provisioners.join(', ')})`, 1);
  }
}

/** The certname a node requests is its identity: refuses (status 1) a `cn` naming anything else. */
export function checkCertname(cn: string | null | undefined, identity: string): string {
  if (cn !== undefined && cn !== null && cn !== '' && cn !== identity) {
    throw new AgentError(`cn '${cn}' is not this node's identity '${identity}': a node may only request a certificate for its own name (leave cn out)`, 1);
  }
  return identity;
}
