import { buildFilter, isEmptyFilter, plainIdentities, SignatureFile, signatureFilePath, type BusAuth, type CheckStateRecord, type TrustStore } from '@cohort/core';
import { checks, connectBus, Registry, type Bus, type ClientSecurityConfig } from '@cohort/client';
import { pluginConfig } from './config.js';
import { NagiosState } from '@cohort/core';
import type { HostResult } from './evaluate.js';
import type { CheckArgs } from './options.js';
import { checkSecurity } from './security.js';

/** A duration as `45s`, `12m`, `3h12m`. */
function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m` : `${Math.floor(m / 60)}h${m % 60 === 0 ? '' : `${m % 60}m`}`;
}

/**
 * A node's part in the cached check, from its verified state record: the
 * state it reports, except a stale record (last run older than twice the
 * interval: the node stopped reporting) and a pending one, which are
 * UNKNOWN; maintenance counts as OK (silenced on purpose, until it ends).
 */
export function hostFromState(record: CheckStateRecord, now: number): HostResult {
  const host = record.identity;
  const first = (record.output.split('\n', 1)[0] ?? '').trim();
  if (checks.isCheckStale(record, now)) {
    const last = record.last_run === null ? `pending for ${age(now - record.since)}` : `no result for ${age(now - record.last_run)}`;
    return { host, state: NagiosState.UNKNOWN, output: `stale: ${last} (interval ${age(record.interval * 1000)}); last said ${record.state.toUpperCase()}: ${first}`, replied: true };
  }
  switch (record.state) {
    case 'ok':
      return { host, state: NagiosState.OK, output: first, replied: true };
    case 'warning':
      return { host, state: NagiosState.WARNING, output: first, replied: true };
    case 'critical':
      return { host, state: NagiosState.CRITICAL, output: first, replied: true };
    case 'pending':
      return { host, state: NagiosState.UNKNOWN, output: 'not checked yet', replied: true };
    case 'maintenance': {
      const m = record.maintenance;
      return { host, state: NagiosState.OK, output: `in maintenance${m ? ` until ${new Date(m.until).toISOString()} (${m.reason})` : ''}; last: ${first}`, replied: true };
    }
    default:
      return { host, state: NagiosState.UNKNOWN, output: first, replied: true };
  }
}

/** The hosts of the cached check, and how many nodes it covered. Pure. */
export function cachedHosts(
  records: readonly CheckStateRecord[],
  refused: readonly checks.RefusedCheck[],
  targets: ReadonlySet<string> | undefined,
  plain: readonly string[] | undefined,
  check: string,
  now: number,
): HostResult[] {
  const hosts = new Map<string, HostResult>();
  for (const r of records) if (targets === undefined || targets.has(r.identity)) hosts.set(r.identity, hostFromState(r, now));
  // A record that does not verify hides the node's real state: UNKNOWN, with why (never its claimed state).
  for (const r of refused) {
    if (r.identity === undefined || (targets !== undefined && !targets.has(r.identity))) continue;
    hosts.set(r.identity, { host: r.identity, state: NagiosState.UNKNOWN, output: `state record refused: ${r.reason}`, replied: true });
  }
  // Nodes named one by one (-I) must have a state.
  for (const id of plain ?? []) if (!hosts.has(id)) hosts.set(id, { host: id, state: NagiosState.UNKNOWN, output: `no state of ${check} on the bus`, replied: false });
  return [...hosts.values()];
}

export interface CachedDeps {
  env: NodeJS.ProcessEnv;
  homedir: string;
  now: () => number;
  stage: (what: string) => void;
  /** Milliseconds left for connecting. */
  connectTimeoutMs: number;
  bus?: Bus;
}

/**
 * Trusted node keys: the client config's (issuers, node_keys_dir, the issuer
 * of the signing key's own certificate, as the live mode uses them) plus
 * --issuer; and the NATS TLS and credentials.
 */
function cachedSecurity(args: CheckArgs, env: NodeJS.ProcessEnv, security: ClientSecurityConfig | undefined): { trust: TrustStore; auth: BusAuth | undefined } {
  const merged: ClientSecurityConfig = { ...security, issuers: [...(security?.issuers ?? []), ...args.issuers] };
  const { nodeTrust, auth } = checkSecurity(merged, env);
  if (nodeTrust === undefined) throw new Error('check states are signed by their nodes and verified here, so trusted node keys are needed: --issuer FILE, or issuers / node_keys_dir in the client config');
  return { trust: nodeTrust, auth };
}

/**
 * `--cached`: read the collective's check states of `args.command` from the
 * bus (no request to the fleet), verify each against the node keys, select
 * the nodes the filters match (on the registry, as cohort checks does) and
 * return one host per node. Throws when there are no check states at all.
 */
export async function readCachedFleet(args: CheckArgs, deps: CachedDeps): Promise<{ hosts: HostResult[]; read: number }> {
  const loaded = pluginConfig(args, deps.env, deps.homedir);
  const servers = [...loaded.servers];
  const collective = loaded.collective;
  const filter = buildFilter(args.filter);
  const { trust, auth } = cachedSecurity(args, deps.env, loaded.security);
  // The signatures that verified in earlier checks (the CLI's file, this user's): Nagios runs this every
  // interval, and a state record or node certificate unchanged since is not checked again.
  const sigPath = signatureFilePath(deps.env, deps.homedir);
  const sigFile = sigPath === undefined ? undefined : SignatureFile.open(sigPath);
  if (sigFile) trust.rememberSignatures(undefined, sigFile);
  deps.stage(`connecting to NATS at ${servers.join(', ')}`);
  const bus = deps.bus ?? (await connectBus({ servers, name: 'check_cohort_nrpe', ...(auth ? { auth } : {}), connectTimeoutMs: deps.connectTimeoutMs }));
  let registry: Registry | undefined;
  try {
    if (!bus.mineKv) throw new Error('this connection has no key-value store: cached check states need NATS JetStream');
    deps.stage('reading the check states');
    const plain = plainIdentities(filter);
    const usesCheck = [...args.filter.select, ...args.filter.with].some((e) => /\bcheck\s*\(/.test(e));
    const needRegistry = !isEmptyFilter(filter) && plain === undefined;
    const [read, reg] = await Promise.all([
      // check('other') in a filter needs every check's states; otherwise only CHECK's are read.
      checks.readCheckStates(bus.mineKv, collective, trust, usesCheck ? { now: deps.now } : { check: args.command, now: deps.now }),
      needRegistry ? Registry.open(bus, collective, trust) : Promise.resolve(undefined),
    ]);
    registry = reg;
    if (read.missing !== undefined) throw new Error(checks.noCheckStates(read.missing));
    const records = read.records.filter((r) => r.check === args.command);
    const refused = read.refused.filter((r) => r.check === args.command);
    const holders = [...records.map((r) => r.identity), ...refused.flatMap((r) => (r.identity === undefined ? [] : [r.identity]))];
    const now = deps.now();
    const targets = isEmptyFilter(filter) ? undefined : new Set(checks.registryTargets(filter, registry?.nodes() ?? [], holders, 'check_cohort_nrpe --cached', checks.checkDataAnswers(read.records, now)));
    return { hosts: cachedHosts(records, refused, targets, plain, args.command, now), read: records.length };
  } finally {
    await registry?.close();
    if (!deps.bus) await bus.close();
    sigFile?.save();
  }
}
