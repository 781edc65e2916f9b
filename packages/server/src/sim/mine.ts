import type { KeyObject } from 'node:crypto';
import type { NodeInfo } from '@cohort/agents';
import { createSigner, generateKeyPair, issueCertificate, publicKeyHex, readPrivateKey, ReplayCache, TrustStore, type NodeView } from '@cohort/core';
import { type ServerConfig } from '@cohort/agents';
import type { Logger } from '@cohort/core/log';
import type { Bus } from '../bus.js';
import { createMine, type Mine } from '../mine/mine.js';
import type { NodeSecurity } from '../node-security.js';
import type { AgentRegistry } from '../registry.js';

/**
 * The simulator's mine (for `pnpm bench --mine`): when the config given to
 * cohort-sim declares mine functions, every virtual node runs them with the
 * real scheduler and writes signed values like cohortd. Each node gets a
 * fresh key, certified by the issuer in $COHORT_SIM_MINE_ISSUER_KEY (so
 * clients trusting that issuer verify the values); without it the keys are
 * uncertified and readers refuse the values. Fleet-wide definitions are not
 * watched (a thousand watchers would measure something else).
 */
export function simMineIssuer(env: NodeJS.ProcessEnv): KeyObject | undefined {
  const file = env['COHORT_SIM_MINE_ISSUER_KEY'];
  return file ? readPrivateKey(file) : undefined;
}

export async function startSimMine(options: {
  identity: string;
  config: ServerConfig;
  issuer: KeyObject | undefined;
  bus: Bus;
  registry: AgentRegistry;
  node: NodeInfo;
  view: NodeView;
  log: Logger;
}): Promise<Mine | undefined> {
  const { config, identity } = options;
  if (Object.keys(config.mine).length === 0) return undefined;
  const pair = generateKeyPair();
  const certificate = options.issuer
    ? issueCertificate(options.issuer, { kind: 'node', subject: identity, publicKey: publicKeyHex(pair.publicKey), expiresAt: Date.now() + 7 * 86_400_000 })
    : undefined;
  const security: NodeSecurity = {
    mode: 'signed',
    trust: () => new TrustStore('caller', new Map(), new Set()),
    replay: new ReplayCache(1),
    policies: undefined,
    audit: undefined,
    signer: createSigner(pair.privateKey, identity, certificate),
    close: () => undefined,
  };
  const bus: Bus = { ...options.bus, watchBucket: undefined };
  const mine = createMine({
    identity,
    collectives: config.collectives,
    configFile: undefined,
    settings: { mine: config.mine, mine_dir: null },
    bus,
    security,
    agents: options.registry,
    node: options.node,
    view: () => options.view,
    log: options.log,
  });
  await mine?.start();
  return mine;
}
