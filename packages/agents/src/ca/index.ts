import { defineAgent, type Agent } from '../define.js';
import type { CaActions } from '../generated/index.js';
import { Mutex } from '../lib/mutex.js';
import { findCommand } from '../puppetral/locate.js';
import type { NodeInfo } from '../node-info.js';
import type { CaBackend } from './backend.js';
import { opensslBackend } from './openssl/backend.js';
import { puppetBackend } from './puppet/backend.js';
import { readCaSettings, type CaSettings } from './settings.js';

export interface CaAgentOptions {
  /** Environment whose PATH locates openssl, puppetserver and puppet (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Why the node cannot host the ca agent with these settings, or undefined when it can. */
export function caUnavailable(settings: CaSettings, pathEnv: string | undefined): string | undefined {
  if (!settings.enabled) return 'the ca agent is not enabled on this node (set ca.enabled: true on CA/master nodes)';
  if (findCommand(settings.openssl_command, pathEnv) === undefined) {
    return `the openssl command '${settings.openssl_command}' was not found (ca.openssl_command); install openssl`;
  }
  if (settings.backend === 'puppet') {
    if (findCommand(settings.puppetserver_command, pathEnv) === undefined) {
      return `puppetserver is not installed ('${settings.puppetserver_command}' not found, ca.puppetserver_command); install puppetserver or set ca.backend: openssl`;
    }
    if (findCommand('puppet', pathEnv) === undefined) return "the puppet command was not found on PATH; the puppet backend needs it to find Puppet's CA directory";
  }
  return undefined;
}

/** The backend for a node's settings. */
export function caBackendFor(settings: CaSettings, node: Pick<NodeInfo, 'identity'>): CaBackend {
  if (settings.backend === 'puppet') {
    return puppetBackend({ puppetserver: settings.puppetserver_command, config: settings.puppetserver_config, puppet: 'puppet', openssl: settings.openssl_command });
  }
  return opensslBackend({ command: settings.openssl_command, dir: settings.dir, init: settings.init, days: settings.days, identity: node.identity });
}

/**
 * The ca agent: the signing side of provisioning, on CA/master nodes. Every
 * action runs alone (one at a time, in arrival order), so two signs at once
 * cannot interleave their writes to the CA directory or Puppet's queue.
 */
export function createCa(options: CaAgentOptions = {}): Agent {
  const mutex = new Mutex();
  let current: { key: string; backend: CaBackend } | undefined;

  const backend = (node: NodeInfo): CaBackend => {
    const settings = readCaSettings(node);
    const key = JSON.stringify(settings);
    if (current?.key !== key) current = { key, backend: caBackendFor(settings, node) };
    return current.backend;
  };

  return defineAgent<CaActions>({
    name: 'ca',
    activate: ({ node }) => caUnavailable(readCaSettings(node), (options.env ?? process.env)['PATH']) ?? true,
    actions: {
      info: (_input, { node, signal }) =>
        mutex.run(async () => {
          const ca = backend(node);
          return { backend: ca.name, ...(await ca.info(signal)) };
        }),
      list: (_input, { node, signal }) => mutex.run(() => backend(node).list(signal)),
      sign: ({ certname, csr }, { node, signal, log }) =>
        mutex.run(async () => {
          const signed = await backend(node).sign(certname, csr, signal);
          log.info(`signed ${certname}`, { serial: signed.serial });
          return signed;
        }),
      clean: ({ certname }, { node, signal, log }) =>
        mutex.run(async () => {
          const cleaned = await backend(node).clean(certname, signal);
          if (cleaned) log.info(`cleaned ${certname}`);
          return { cleaned };
        }),
    },
  });
}

/** The built-in ca agent. */
export const ca = createCa();
