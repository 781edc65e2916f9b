import type { Agent, RequestInfo } from '../define.js';
import { defineAgent } from '../define.js';
import { AgentError } from '../errors.js';
import type { ProvisionActions } from '../generated/index.js';
import type { NodeInfo } from '../node-info.js';
import { installCertificate } from './certificate.js';
import { checkCaller, checkCertname } from './caller.js';
import { bootstrapCopy, writeFinalConfig } from './configure.js';
import { generateCsr } from './csr.js';
import { ensureKey } from './keys.js';
import { LockStore } from './lock-store.js';
import { currentMaster, setMaster } from './master.js';
import { Mutex } from '../lib/mutex.js';
import { opensslRunner } from './openssl.js';
import { runPuppet } from './puppet-run.js';
import { provisionSettings, stateFiles, type ProvisionSettings } from './settings.js';
import { sslFiles } from './ssl-files.js';
import { readState, writeState } from './state.js';
import { provisionStatus } from './status.js';
import { checkToken } from './token.js';

/** Seconds kept between Puppet's deadline and the action's, so the agent still replies itself. */
const replyMargin = 5;
/** The restart splay range (seconds). */
const maxSplay = 60;

/** Settings for this request, after the caller and token checks (every action starts with them). */
function admit(node: NodeInfo, request: RequestInfo, token: string | undefined): ProvisionSettings {
  const settings = provisionSettings(node);
  checkCaller(settings, request.callerid);
  checkToken(settings.token, token);
  return settings;
}

async function certnameOf(settings: ProvisionSettings, node: NodeInfo): Promise<string> {
  return (await readState(stateFiles(settings).state)).certname ?? node.identity;
}

function locks(settings: ProvisionSettings): LockStore {
  return new LockStore(stateFiles(settings).lock);
}

/**
 * Build a provision agent: what a provisioner needs to turn a node in
 * provisioning mode into a configured member of the fleet (after
 * mcollective-server-provisioner's agent and Choria's choria_provision).
 * Every action is idempotent and, when provisioning.token is set, demands
 * it. Actions that change files run one at a time.
 */
export function createProvisionAgent(): Agent {
  const mutex = new Mutex();
  return defineAgent<ProvisionActions>({
    name: 'provision',
    activate: ({ node, log }) => {
      const settings = provisionSettings(node);
      if (!settings.signed && !settings.allowUnsigned) {
        log.warn('provision refuses every request: this node runs with security.mode: unsigned; trust the provisioner\'s key in the bootstrap config (security.mode: signed) or set provisioning.allow_unsigned: true in a lab');
      }
      return true;
    },
    actions: {
      status: async ({ token }, { node, request }) => {
        const settings = admit(node, request, token);
        return provisionStatus(settings, locks(settings), await certnameOf(settings, node));
      },

      lock: ({ token, owner, ttl }, { node, request }) =>
        mutex.run(async () => {
          const lock = await locks(admit(node, request, token)).lock(owner, ttl);
          return { locked: true, lock_owner: lock.owner, expires: lock.expires };
        }),

      unlock: ({ token, owner, force }, { node, request }) =>
        mutex.run(async () => {
          await locks(admit(node, request, token)).unlock(owner, force);
          return { locked: false };
        }),

      set_master: ({ token, host, ip, port }, { node, request }) =>
        mutex.run(async () => {
          const changed = await setMaster(admit(node, request, token), host, ip, port);
          return { master: host, ...changed };
        }),

      gencsr: ({ token, cn, O, OU, C, L, ST }, { node, request, signal }) =>
        mutex.run(async () => {
          const settings = admit(node, request, token);
          const certname = checkCertname(cn, node.identity);
          const openssl = opensslRunner(settings.opensslCommand, signal);
          const files = sslFiles(settings.sslDir, certname);
          const { publicKey } = await ensureKey(openssl, files, settings.keyType);
          const csr = await generateCsr(openssl, files, certname, { O, OU, C, L, ST });
          await writeState(stateFiles(settings).state, { certname });
          return { csr, certname, public_key: publicKey, ssl_dir: settings.sslDir };
        }),

      install_cert: ({ token, certificate, ca }, { node, request, signal }) =>
        mutex.run(async () => {
          const settings = admit(node, request, token);
          const certname = await certnameOf(settings, node);
          const openssl = opensslRunner(settings.opensslCommand, signal);
          const { changed, fingerprint } = await installCertificate(openssl, sslFiles(settings.sslDir, certname), certname, certificate, ca);
          return { installed: true, changed, fingerprint };
        }),

      run_puppet: async ({ token, environment, noop, tags }, { node, request, signal, deadline }) => {
        const settings = admit(node, request, token);
        const certname = await certnameOf(settings, node);
        const master = await currentMaster(settings);
        const hasConf = master.server !== '' || master.masterport !== undefined;
        const result = await runPuppet({
          command: settings.puppetCommand,
          environment,
          noop,
          tags: tags ?? '',
          server: master.server || undefined,
          masterport: master.masterport,
          puppetConf: hasConf ? settings.puppetConf : undefined,
          sslDir: settings.sslDir,
          certname,
          timeoutMs: Math.max(1000, deadline - Date.now() - replyMargin * 1000),
          signal,
        });
        const { ok, ...outputs } = result;
        if (!ok) throw new AgentError(`puppet agent failed: ${result.summary}`, 1, { data: outputs });
        return outputs;
      },

      configure: ({ token, config }, { node, request, log }) =>
        mutex.run(async () => {
          const settings = admit(node, request, token);
          const { changed } = await writeFinalConfig(settings.configFile, config);
          if (changed) log.info(`wrote the final configuration to ${settings.configFile ?? ''} (the bootstrap one is kept as ${bootstrapCopy(settings.configFile ?? '')})`);
          return { written: true, changed, config_file: settings.configFile ?? '' };
        }),

      restart: ({ token, splay }, { node, request }) => {
        admit(node, request, token);
        const seconds = splay;
        if (!Number.isInteger(seconds) || seconds < 0 || seconds > maxSplay) throw new AgentError(`splay must be a whole number of seconds from 0 to ${maxSplay} (got ${seconds})`, 4);
        if (!node.requestRestart) throw new AgentError('this node cannot restart in-process (not a cohortd daemon)', 1);
        node.requestRestart(`provision restart requested by ${request.callerid}`, seconds * 1000);
        return { restarting: true };
      },
    },
  });
}

/** The provision agent cohortd hosts in provisioning mode. */
export const provision = createProvisionAgent();
