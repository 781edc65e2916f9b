import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, errorMessage, generateKeyPair, keyId, loadSigner, PolicyStore, ReplayCache, SecurityError, TrustStore, writeKeyPair, type Signer } from '@cohort/core';
import { type ServerConfig } from '@cohort/agents';
import type { Logger } from '@cohort/core/log';
import { AuditFile, type AuditSink } from './pipeline/audit.js';
import { RefusalAudit } from './pipeline/refusal-audit.js';
import { WatchedTrust } from './trust-watch.js';

/** Everything the request pipeline needs to enforce `security:` settings. */
export interface NodeSecurity {
  readonly mode: 'signed' | 'unsigned';
  /** Trusted callers now (reloaded when the content of the keys directory or an issuer file changes). */
  trust(): TrustStore;
  readonly replay: ReplayCache;
  /** Actionpolicy authorization; undefined when security.policy_dir is not set. */
  readonly policies: PolicyStore | undefined;
  readonly audit: AuditSink | undefined;
  /** Audits refused requests, rate-limited and aggregated (undefined without an audit log). */
  readonly refusals?: RefusalAudit | undefined;
  /** Signs replies; undefined when security.node_key is not set. */
  readonly signer: Signer | undefined;
  close(): void;
}

/** Turn SecurityError (bad key, certificate, trust file) into a ConfigError: the daemon exits 2 naming it. */
function asConfig<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SecurityError) throw new ConfigError(`security: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * Load the node key, creating it on first start when the file does not
 * exist (private key 0600, public key beside it), so a fresh node can be
 * certified with `cohort keys sign --node`.
 */
function nodeSigner(config: ServerConfig, log: Logger): Signer | undefined {
  const { node_key: keyFile, node_certificate: certificateFile } = config.security;
  if (!keyFile) {
    log.info('replies are not signed (security.node_key is not set); clients using --verify-replies will report them as unverified');
    return undefined;
  }
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
    const { publicFile } = asConfig(() => writeKeyPair(keyFile, generateKeyPair()));
    log.info(`generated the node key pair ${keyFile} and ${publicFile}; certify it with: cohort keys sign --issuer ISSUER.key --node ${config.identity} ${publicFile}`);
  }
  const signer = asConfig(() => loadSigner({ kind: 'node', keyFile, certificateFile, subject: config.identity }));
  log.info(`replies are signed with node key ${keyId(signer.publicKey)}${signer.certificate ? ' (issuer certificate attached)' : ' (no certificate: clients must list this key in their trusted node keys)'}`);
  return signer;
}

/**
 * Trusted callers, reloaded when the content of the keys directory or an
 * issuer file changes (kernel notification, no polling: see trust-watch.ts).
 */
function trustStore(config: ServerConfig, log: Logger): WatchedTrust<TrustStore> {
  const { trusted_keys_dir: keysDir, issuers } = config.security;
  let first = true;
  return asConfig(
    () =>
      new WatchedTrust<TrustStore>({
        sources: { keysDir, files: issuers },
        load: () => {
          const store = TrustStore.load({ kind: 'caller', keysDir, issuers });
          for (const warning of store.warnings) log.warn(warning);
          const { keys, issuers: n } = store.size;
          if (!first) log.info(`reloaded trust: ${keys} trusted key(s), ${n} issuer(s)`);
          first = false;
          return store;
        },
        onError: (err) => log.error(`reloading the trusted keys failed: ${errorMessage(err)}; keeping the previous ones`),
        onWatchError: (path, err) => log.warn(`cannot watch ${path} for trust changes (${errorMessage(err)}); checking its content on use instead, at most every 2 s`),
      }),
  );
}

/** Build the node's security from its configuration, logging what is (and is not) enforced. */
export function createNodeSecurity(config: ServerConfig, log: Logger): NodeSecurity {
  const s = config.security;
  const watched = trustStore(config, log);
  const trust = () => watched.get();
  if (s.mode === 'unsigned') {
    log.warn(
      'SECURITY: running in UNSIGNED mode (security.mode: unsigned): requests are NOT verified and anyone who can publish on the bus ' +
        'can run any action on this node under any caller id. Use this only in a lab; see docs/security.md',
    );
  } else {
    const { keys, issuers } = trust().size;
    if (keys + issuers === 0) {
      log.warn('signed mode, but no trusted keys or issuers are configured (security.trusted_keys_dir, security.issuers): every request will be refused');
    } else {
      log.info(`signed mode: ${keys} trusted key(s), ${issuers} issuer(s)`);
    }
  }
  let policies: PolicyStore | undefined;
  if (s.policy_dir) {
    if (!existsSync(s.policy_dir) || !statSync(s.policy_dir).isDirectory()) {
      throw new ConfigError(`security.policy_dir ${s.policy_dir} is not a directory; create it (with <agent>.policy files) or unset policy_dir`);
    }
    policies = new PolicyStore({ dir: s.policy_dir, defaultEffect: s.default_policy, onError: (err) => log.error(`${errorMessage(err)}; denying the requests it covers`) });
    log.info(`authorization: actionpolicy files in ${s.policy_dir}, default ${s.default_policy}`);
  } else {
    log.info('authorization is off (security.policy_dir is not set): every trusted caller may run every action');
  }
  const audit = s.audit_file ? new AuditFile(s.audit_file, log) : undefined;
  const refusals = audit ? new RefusalAudit(audit, { perInterval: s.audit_refusals_per_minute }) : undefined;
  const signer = nodeSigner(config, log);
  return {
    mode: s.mode,
    trust,
    replay: new ReplayCache(s.replay_cache_size, Math.max(1, Math.floor(s.replay_cache_size * s.replay_per_caller))),
    policies,
    audit,
    refusals,
    signer,
    close: () => {
      refusals?.close();
      watched.close();
      audit?.close();
    },
  };
}
