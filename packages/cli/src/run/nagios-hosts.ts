import { isEmptyFilter, UsageError } from '@cohort/core';
import { matchRegistry, parseDuration, type Bus, type RegisteredNode } from '@cohort/client';
import {
  CommandSyntaxError,
  defaultHostTemplate,
  dirProblem,
  hostSource,
  HostsSync,
  objectNameProblem,
  RegistryFeed,
  splitCommand,
  type HostsRenderOptions,
  type SyncReport,
} from '@cohort/nagios/hosts-sync';
import { bool, commaList, str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { openSession } from '../session.js';
import { nodeDataTrust } from './mine-common.js';
import { stopSignal } from './stop-signal.js';

/** The command line, checked before anything connects. */
interface HostsArgs {
  dir: string;
  render: Omit<HostsRenderOptions, 'collective'>;
  reload: string[] | undefined;
  debounceMs: number;
  recheckMs: number;
  once: boolean;
}

function objectName(value: string, flag: string): string {
  const problem = objectNameProblem(value);
  if (problem !== undefined) throw new UsageError(`${flag} '${value}' cannot be a Nagios object name: ${problem}`);
  return value;
}

function prefix(argv: Args, flag: string): string {
  const p = str(argv, flag) ?? '';
  if (p !== '') objectName(`${p}x`, `--${flag}`);
  return p;
}

function duration(argv: Args, flag: string, fallbackS: number, minS: number): number {
  const v = str(argv, flag);
  const s = v === undefined ? fallbackS : parseDuration(v, 's', `--${flag}`);
  if (s < minS) throw new UsageError(`--${flag} must be at least ${minS} s`);
  return Math.round(s * 1000);
}

export function parseHostsArgs(argv: Args): HostsArgs {
  const dir = str(argv, 'dir');
  if (dir === undefined || dir === '') throw new UsageError('--dir DIR is required: the directory the host definitions are written to (include it in Nagios with cfg_dir=DIR)');
  const templateByClass = bool(argv, 'template-by-class');
  const classes = commaList(argv, 'template-classes');
  if (classes.length > 0 && !templateByClass) throw new UsageError('--template-classes needs --template-by-class');
  const hostgroups = str(argv, 'hostgroups') ?? 'define';
  if (hostgroups !== 'define' && hostgroups !== 'reference' && hostgroups !== 'none') throw new UsageError(`--hostgroups '${hostgroups}' must be define, reference or none`);
  const addressFact = str(argv, 'address-fact');
  if (addressFact === '') throw new UsageError('--address-fact needs a fact name');
  const command = str(argv, 'reload-command');
  let reload: string[] | undefined;
  if (command !== undefined) {
    try {
      reload = splitCommand(command);
    } catch (err) {
      if (err instanceof CommandSyntaxError) throw new UsageError(`--reload-command: ${err.message}`);
      throw err;
    }
  }
  const problem = dirProblem(dir);
  if (problem !== undefined) throw new UsageError(problem);
  return {
    dir,
    render: {
      defaultTemplate: objectName(str(argv, 'template') ?? defaultHostTemplate, '--template'),
      templateByClass,
      templatePrefix: prefix(argv, 'template-prefix'),
      templateClasses: classes.length > 0 ? new Set(classes) : undefined,
      hostgroups,
      hostgroupPrefix: prefix(argv, 'hostgroup-prefix'),
      addressFact,
    },
    reload,
    debounceMs: duration(argv, 'debounce', 2, 0),
    recheckMs: duration(argv, 'recheck', 5, 0.1),
    once: bool(argv, 'once'),
  };
}

/** When the registry has records but not one verified: the trust is wrong, not the fleet gone. */
function untrusted(feed: RegistryFeed | undefined): string | undefined {
  if (feed === undefined || feed.nodes().length > 0) return undefined;
  const ignored = feed.ignored();
  if (ignored.length === 0) return undefined;
  return `none of the ${ignored.length} registry record(s) verified (first: ${ignored[0]!.identity}: ${ignored[0]!.reason}); check the trusted issuers (--issuer, issuers in the client config)`;
}

/** `cohort nagios hosts --dir DIR [...]`: see commands/nagios-hosts.ts and docs/service-discovery.md. */
export async function runNagiosHosts(argv: Args, io: CliIo): Promise<Outcome> {
  const args = parseHostsArgs(argv);
  const session = await openSession(argv, io, { keepsRunning: !args.once });
  const trust = nodeDataTrust(argv, session, 'registry records');
  const filter = session.filter;
  const select = (nodes: RegisteredNode[]): RegisteredNode[] => {
    if (isEmptyFilter(filter)) return nodes;
    const match = matchRegistry(nodes, filter);
    if (match.nodeData !== undefined) throw new UsageError(`the filter needs node-side data (${match.nodeData}()), which the registry does not hold`);
    const wanted = new Set(match.identities);
    return nodes.filter((n) => wanted.has(n.identity));
  };
  const log = (line: string): void => void io.stderr.write(`${args.once ? '' : `${new Date().toISOString()} `}cohort nagios hosts: ${line}\n`);
  const bus: Bus = await session.openBus();
  let feed: RegistryFeed | undefined;
  let recheck: NodeJS.Timeout | undefined;
  try {
    const sync: HostsSync = new HostsSync(
      { dir: args.dir, render: { ...args.render, collective: session.collective }, reload: args.reload, debounceMs: args.debounceMs, log, hold: () => untrusted(feed) },
      () => select(feed?.nodes() ?? []).map(hostSource),
    );
    const opened = await RegistryFeed.open(bus, session.collective, trust, () => sync.trigger());
    if ('missing' in opened) throw new Error(`cannot read the registry of collective ${session.collective}: ${opened.missing}; the directory was left as it is`);
    feed = opened;
    // Fails early (UsageError) for filters the registry cannot answer.
    select(feed.nodes());
    const ignored = feed.ignored();
    if (ignored.length > 0) log(`ignored ${ignored.length} registry record(s) that did not verify${session.verbose ? `: ${ignored.map((i) => `${i.identity} (${i.reason})`).join('; ')}` : ' (-v lists them)'}`);
    const first = await sync.sync(true);
    if (args.once) {
      await sync.stop();
      return onceOutcome(first, args, session.json, io);
    }
    log(`${first?.hosts ?? 0} host(s) in ${args.dir}; following the registry of collective ${session.collective} (stop with Ctrl-C)`);
    recheck = setInterval(() => sync.recheck(), args.recheckMs);
    const why = await stopSignal().stopped;
    clearInterval(recheck);
    await sync.stop();
    log(`${why}: stopped after ${sync.counts.changes} change(s), ${sync.counts.reloads} reload(s)${sync.counts.reloadFailures > 0 ? `, ${sync.counts.reloadFailures} failed` : ''}`);
    return { kind: 'done' };
  } finally {
    if (recheck !== undefined) clearInterval(recheck);
    await feed?.stop();
    await bus.close();
  }
}

function onceOutcome(report: SyncReport | undefined, args: HostsArgs, json: boolean, io: CliIo): Outcome {
  const r = report ?? { hosts: 0, written: [], removed: [], blocked: [], skipped: [] };
  if (r.held !== undefined) throw new Error(`the directory was left as it is: ${r.held}`);
  if (json) io.stdout.write(`${JSON.stringify({ dir: args.dir, hosts: r.hosts, written: r.written, removed: r.removed, blocked: r.blocked, skipped: r.skipped, reload: r.reload ?? null })}\n`);
  else io.stdout.write(`${r.hosts} host(s) in ${args.dir}: ${r.written.length} file(s) written, ${r.removed.length} removed${r.blocked.length > 0 ? `, ${r.blocked.length} blocked by files this tool did not write` : ''}\n`);
  if (r.reload && !r.reload.ok) throw new Error(`the reload command failed: ${r.reload.summary}`);
  return { kind: 'done' };
}
